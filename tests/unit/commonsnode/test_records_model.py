"""Rules of deployments, support offers and credits: what may be declared, by whom, and how."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.listings import (
    DeclaredParty,
    ListingFacts,
    ListingText,
    Provenance,
    declared_parties,
    new_local_listing,
)
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import (
    DeploymentTerms,
    check_listing_open,
    check_may_offer,
    check_since,
    contract_credit,
    declare,
    declared_credits,
    deployment_terms,
    offer_terms,
    receive,
)

TODAY = date(2026, 11, 27)


def org(kind: str = "government", handle: str = "city") -> Organisation:
    return Organisation("o-" + handle, handle, handle.title(), kind, "", False, 0.0)  # type: ignore[arg-type]


def provenance(author: str = "https://b.example/orgs/town", at: float = 10.0) -> Provenance:
    return Provenance("https://b.example/deployments/1", author, "b.example", at, author)


@pytest.mark.parametrize("since", ["2021", "2021-06", "2021-06-15", "1970", "2026-11-27"])
def test_since_takes_a_year_a_month_or_a_day(since: str) -> None:
    assert check_since(since, TODAY) == since


@pytest.mark.parametrize("since", ["21", "2021-2", "2021-02-30", "2026-11-28", "1969", 2021, None])
def test_since_refuses_non_dates_the_future_and_the_distant_past(since: object) -> None:
    with pytest.raises(InvalidError) as caught:
        check_since(since, TODAY)
    assert caught.value.field == "since"


def test_a_deployment_needs_a_purpose_and_bounds_its_texts() -> None:
    with pytest.raises(InvalidError) as caught:
        deployment_terms("2021", "  ", TODAY)
    assert caught.value.field == "purpose"
    with pytest.raises(InvalidError) as caught:
        deployment_terms("2021", "x", TODAY, notes="n" * 2001)
    assert caught.value.field == "notes"
    assert deployment_terms("2021", " budgets ", TODAY, scale="") == DeploymentTerms(
        "2021", "budgets"
    )


def test_an_offer_normalises_regions_and_drops_duplicates() -> None:
    terms = offer_terms(["hosting", "hosting", "training"], ["it", "de-by", "EU"], ["it", "de-CH"])
    assert terms.services == ("hosting", "training")
    assert terms.regions == ("IT", "DE-BY", "EU")
    assert terms.languages == ("it", "de-CH")


@pytest.mark.parametrize(
    ("services", "regions", "languages", "contact", "field"),
    [
        ([], ["IT"], [], None, "services"),
        (["cooking"], ["IT"], [], None, "services"),
        ("hosting", ["IT"], [], None, "services"),
        (["hosting"], [], [], None, "regions"),
        (["hosting"], ["Italy"], [], None, "regions"),
        (["hosting"], ["IT"], ["not a tag"], None, "languages"),
        (["hosting"], ["IT"], [], "javascript:alert(1)", "contact_url"),
    ],
)
def test_a_bad_offer_names_its_field(
    services: object, regions: object, languages: object, contact: object, field: str
) -> None:
    with pytest.raises(InvalidError) as caught:
        offer_terms(services, regions, languages, contact)
    assert caught.value.field == field


def test_only_support_companies_and_developers_may_offer() -> None:
    check_may_offer(org("support-company"))
    check_may_offer(org("developer"))
    for kind in ("government", "civil-society"):
        with pytest.raises(ForbiddenError):
            check_may_offer(org(kind))


def test_declaring_again_replaces_the_terms_and_keeps_the_id() -> None:
    city = org()
    first = declare(None, "r1", "deployment", "l1", DeploymentTerms("2021", "a"), city, 1.0)
    again = declare(first, "r2", "deployment", "l1", DeploymentTerms("2022", "b"), city, 2.0)
    assert (again.id, again.terms.since, again.declared_at, again.updated_at) == (
        "r1",
        "2022",
        1.0,
        2.0,
    )


def test_a_remote_record_changes_only_by_its_author() -> None:
    terms = DeploymentTerms("2021", "a")
    kept = receive(None, "r1", "deployment", "l1", terms, "Town", provenance(), 5.0)
    assert kept.provenance == provenance()
    newer = receive(
        kept,
        "r9",
        "deployment",
        "l1",
        replace(terms, purpose="b"),
        "Town",
        provenance(at=20.0),
        5.0,
    )
    assert (newer.id, newer.terms.purpose, newer.updated_at) == ("r1", "b", 20.0)
    with pytest.raises(ForbiddenError):
        receive(
            kept, "r2", "deployment", "l1", terms, "Eve", provenance("https://e.example/eve"), 5.0
        )


def listing() -> object:
    facts = ListingFacts(
        name="Medusa",
        repository="https://github.com/x/medusa",
        descriptions=(ListingText("en", "s", "l"),),
        license="EUPL-1.2",
        development_status="stable",
        software_type="standalone/web",
    )
    return new_local_listing("l1", "o-city", facts, "", 1.0)


def test_a_withdrawn_listing_takes_no_records() -> None:
    published = listing()
    check_listing_open(published)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        check_listing_open(replace(published, state="withdrawn"))  # type: ignore[type-var]


def test_declared_parties_keep_names_link_only_http_and_drop_empty_ones() -> None:
    parties = declared_parties(
        (("Region", "https://region.example"), (None, "urn:x-italian-pa:c_h501"), (None, None)),
        (("PCM", "urn:x"),),
        (("Fornitore", "https://f.example"), ("Fornitore", "https://f.example")),
    )
    assert parties == (
        DeclaredParty("funder", "Region", "https://region.example"),
        DeclaredParty("funder", "urn:x-italian-pa:c_h501", None),
        DeclaredParty("builder", "PCM", None),
        DeclaredParty("maintainer", "Fornitore", "https://f.example"),
    )


def test_credits_derive_from_the_declared_parties_and_contracts_add_their_own() -> None:
    parties = (DeclaredParty("funder", "Region", "https://region.example"),)
    (credit,) = declared_credits(listing(), parties, 3.0, ["c1"])  # type: ignore[arg-type]
    assert (credit.role, credit.party_name, credit.source) == ("funder", "Region", "publiccode")
    built = contract_credit("c2", "l1", "builder", "Acme", None, "https://a.example/c/1", 4.0)
    assert (built.source, built.source_ref) == ("contract", "https://a.example/c/1")
    with pytest.raises(InvalidError):
        contract_credit("c3", "l1", "sponsor", "Acme", None, "https://a.example/c/1", 4.0)
