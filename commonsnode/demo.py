"""Demo data for `make run`: organisations of every kind, so a new user sees a living node."""

from __future__ import annotations

from importlib.resources import files

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
