"""Demo data for `make run`: organisations of every kind, so a new user sees a living node."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ConflictError
from commonsnode.model.listings import ToolListing, repository_key
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.listings import import_listing
from commonsnode.usecases.organisations import create_organisation
from commonsnode.usecases.privacy import AnswerInput, answer_tool_rubric
from commonsnode.usecases.ratings import rate_listing
from commonsnode.usecases.reports import publish_report, reports_about

DEMO_ORGANISATIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "alderney",
        "City of Alderney",
        "government",
        "A mid-sized municipality that publishes the open-source tools it runs.",
    ),
    (
        "digital-ministry",
        "Ministry of Digital Affairs",
        "government",
        "Coordinates shared digital infrastructure for public administrations.",
    ),
    (
        "open-data-collective",
        "Open Data Collective",
        "civil-society",
        "Volunteers who review public-sector software for privacy and accessibility.",
    ),
    (
        "civic-code",
        "Civic Code Cooperative",
        "developer",
        "A worker-owned cooperative building open-source software for local government.",
    ),
    (
        "commons-hosting",
        "Commons Hosting Ltd",
        "support-company",
        "Hosting, maintenance and support for open-source public-sector tools.",
    ),
)


DEMO_LISTINGS: tuple[tuple[str, str], ...] = (
    # (organisation handle, file in commonsnode/demo_data). Decidim and Nextcloud are listed
    # twice, by a user and by a developer or host: one tool, many listings.
    ("alderney", "decidim.yml"),
    ("alderney", "signalen.yml"),
    ("alderney", "qgis.yml"),
    ("digital-ministry", "nextcloud.yml"),
    ("digital-ministry", "openproject.yml"),
    ("digital-ministry", "libreoffice.yml"),
    ("open-data-collective", "ckan.yml"),
    ("open-data-collective", "consul-democracy.yml"),
    ("civic-code", "decidim.yml"),
    ("civic-code", "docs.yml"),
    ("commons-hosting", "nextcloud-hosted.yml"),
    ("commons-hosting", "matomo.yml"),
    ("commons-hosting", "zammad.yml"),
)


def demo_file(name: str) -> str:
    """The text of one publiccode.yml in commonsnode/demo_data."""
    return files("commonsnode.demo_data").joinpath(name).read_text(encoding="utf-8")


def demo_listings() -> list[tuple[str, str]]:
    """(organisation handle, publiccode.yml text) pairs, in the order `commonsnode demo`
    publishes them: real tools that public administrations use, from publishers of every kind."""
    return [(handle, demo_file(name)) for handle, name in DEMO_LISTINGS]


_GOOD = (
    "self-hostable",
    "data-minimisation",
    "privacy-by-default",
    "data-inventory",
    "retention-limits",
    "data-export",
    "deletion",
    "encryption-in-transit",
    "access-control",
    "security-process",
    "dpia-support",
    "privacy-policy",
)
_BLOCKERS = ("third-party-trackers", "plaintext-credentials", "sells-personal-data")

# (tool's repository key, answering organisation, evidence link, {criterion: answer}).
# Maintainers self-declare, others peer-review (the node decides): Decidim is peer-reviewed
# widely (B), Nextcloud partly (C), Matomo only self-declared (D: a maintainer alone cannot
# reach better than C, and these answers leave gaps).
DEMO_PRIVACY: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (
        "github.com/decidim/decidim",
        "civic-code",
        "https://docs.decidim.org/",
        {
            **dict.fromkeys(("self-hostable", "data-export", "deletion"), "yes"),
            **dict.fromkeys(("encryption-in-transit", "security-process", "privacy-policy"), "yes"),
            **dict.fromkeys((*_BLOCKERS, "telemetry-by-default"), "no"),
            "processor-agreement": "not-applicable",
        },
    ),
    (
        "github.com/decidim/decidim",
        "open-data-collective",
        "https://github.com/decidim/decidim",
        {
            **dict.fromkeys(
                ("data-minimisation", "privacy-by-default", "data-inventory", "access-control"),
                "yes",
            ),
            **dict.fromkeys(("self-hostable", "data-export", "deletion"), "yes"),
            "retention-limits": "yes",
            "dpia-support": "no",
            **dict.fromkeys((*_BLOCKERS, "telemetry-by-default"), "no"),
        },
    ),
    (
        "github.com/decidim/decidim",
        "digital-ministry",
        "https://docs.decidim.org/",
        {"encryption-in-transit": "yes", "security-process": "yes", "encryption-at-rest": "no"},
    ),
    (
        "github.com/nextcloud/server",
        "commons-hosting",
        "https://docs.nextcloud.com/server/latest/admin_manual/",
        {
            **dict.fromkeys(
                ("deletion", "encryption-at-rest", "access-control", "security-process"), "yes"
            ),
            **dict.fromkeys(("data-inventory", "processor-agreement"), "yes"),
            **dict.fromkeys(_BLOCKERS, "no"),
        },
    ),
    (
        "github.com/nextcloud/server",
        "alderney",
        "https://docs.nextcloud.com/server/latest/admin_manual/",
        {
            **dict.fromkeys(("self-hostable", "data-export", "encryption-in-transit"), "yes"),
            **dict.fromkeys(("deletion", "security-process", "data-minimisation"), "yes"),
            **dict.fromkeys((*_BLOCKERS, "telemetry-by-default"), "no"),
        },
    ),
    (
        "github.com/matomo-org/matomo",
        "commons-hosting",
        "https://matomo.org/docs/",
        {
            **dict.fromkeys(_GOOD, "yes"),
            **dict.fromkeys((*_BLOCKERS, "third-party-cloud-required"), "no"),
        },
    ),
)


async def answer_demo_rubrics(
    uow: UnitOfWorkFactory, clock: Clock, org_iri: Callable[[str], str]
) -> None:
    """Give the demo tools privacy answers; answering again replaces them (idempotent)."""
    for key, handle, evidence, answers in DEMO_PRIVACY:
        async with uow(readonly=True) as tx:
            org = await tx.organisations.get_by_handle(handle)
        if org is None:
            continue
        inputs = [AnswerInput(c, a, evidence) for c, a in answers.items()]
        await answer_tool_rubric(uow, clock, org, key, inputs, org_iri)


# (rater, repository URL of the rated tool, scores, text): every rater uses, and does not
# publish, the tool it rates (an organisation cannot rate a tool it lists).
DEMO_RATINGS: tuple[tuple[str, str, dict[str, int], str], ...] = (
    (
        "digital-ministry",
        "https://github.com/decidim/decidim",
        {"overall": 4, "privacy": 4, "accessibility": 4, "documentation": 3, "deployment": 3},
        "Solid for participatory budgeting; plan time for the upgrade path between majors.",
    ),
    (
        "open-data-collective",
        "https://github.com/decidim/decidim",
        {"overall": 5, "privacy": 5, "accessibility": 4, "support": 4},
        "The community answers quickly and the accessibility work shows.",
    ),
    (
        "alderney",
        "https://github.com/nextcloud/server",
        {"overall": 4, "privacy": 5, "security": 4, "deployment": 3},
        "",
    ),
    ("civic-code", "https://github.com/qgis/QGIS", {"overall": 5, "documentation": 4}, ""),
    (
        "open-data-collective",
        "https://github.com/matomo-org/matomo",
        {"overall": 3, "privacy": 4, "deployment": 3},
        "Good once consent banners are configured; the defaults collect more than we need.",
    ),
    ("alderney", "https://github.com/ckan/ckan", {"overall": 4, "documentation": 3}, ""),
)

# (author, repository URL, report fields as the API takes them)
DEMO_REPORTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "digital-ministry",
        "https://github.com/decidim/decidim",
        {
            "title": "Two years of participatory budgeting on Decidim",
            "summary": "Self-hosted for a national consultation platform.",
            "narrative": "We run Decidim **self-hosted** on two virtual machines.\n\n"
            "- Budget for a yearly upgrade\n- Train moderators before launch",
            "organisation_kind": "national-government",
            "organisation_size": "1000-4999",
            "country": "IT",
            "hosting": "self-hosted",
            "start_date": "2024-03-01",
            "duration_months": 20,
            "outcome": "production",
            "would_recommend": True,
            "one_time_cost": {"amount": 4_500_000, "currency": "EUR"},
            "yearly_cost": {"amount": 1_200_000, "currency": "EUR"},
            "effort_person_days": 60,
            "lessons": "Start with one process; accessibility testing with residents paid off.",
        },
    ),
)


async def _listing_of(uow: UnitOfWorkFactory, repository: str) -> ToolListing | None:
    async with uow(readonly=True) as tx:
        listings = await tx.listings.by_repository(repository_key(repository))
    return next((x for x in listings if x.is_local), None)


async def rate_and_report_demo_tools(uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Ratings and an experience report on the demo tools, each given once (idempotent)."""
    for handle, repository, scores, text in DEMO_RATINGS:
        listing = await _listing_of(uow, repository)
        async with uow(readonly=True) as tx:
            org = await tx.organisations.get_by_handle(handle)
            given = (
                await tx.ratings.get_by_rater(listing.id, org.id)
                if org is not None and listing is not None
                else None
            )
        if org is not None and listing is not None and given is None:
            await rate_listing(uow, clock, org, listing.id, scores, text or None)
    for handle, repository, fields in DEMO_REPORTS:
        listing = await _listing_of(uow, repository)
        async with uow(readonly=True) as tx:
            org = await tx.organisations.get_by_handle(handle)
        if org is None or listing is None:
            continue
        held = await reports_about(uow, [listing], 50)
        if not any(view.report.org_id == org.id for view in held):
            await publish_report(uow, clock, org, listing.id, fields)


async def seed_demo(uow: UnitOfWorkFactory, clock: Clock, org_iri: Callable[[str], str]) -> None:
    """Everything `commonsnode demo` adds but the commissions (those need the organisations'
    keys, which the layer above holds): organisations, listings, privacy answers, ratings and
    a report. Each is added once, however often the demo runs."""
    for handle, name, kind, summary in DEMO_ORGANISATIONS:
        with contextlib.suppress(ConflictError):
            await create_organisation(
                uow, clock, handle=handle, name=name, kind=kind, summary=summary
            )
    for handle, text in demo_listings():
        async with uow(readonly=True) as tx:
            org = await tx.organisations.get_by_handle(handle)
        if org is not None:
            await import_listing(uow, clock, org, text)
    await answer_demo_rubrics(uow, clock, org_iri)
    await rate_and_report_demo_tools(uow, clock)
