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


def demo_listings() -> list[tuple[str, str]]:
    """(organisation handle, publiccode.yml text) pairs: one example listing per organisation,
    so the catalog shows the same tool listed by several publishers."""
    documents = sorted(
        (
            entry
            for entry in files("commonsnode.demo_data").iterdir()
            if entry.name.endswith(".yml")
        ),
        key=lambda entry: entry.name,
    )
    handles = [handle for handle, *_ in DEMO_ORGANISATIONS]
    return [
        (handle, doc.read_text(encoding="utf-8"))
        for handle, doc in zip(handles, documents, strict=False)
    ]
