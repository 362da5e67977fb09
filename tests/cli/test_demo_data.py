"""The demo catalog (`make run`): real tools, publishers of every kind, every file clean."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files

import pytest

from commonsnode.demo import DEMO_LISTINGS, DEMO_ORGANISATIONS, demo_file, demo_listings
from commonsnode.model.listings import ListingFacts, facts_from_publiccode, repository_key
from commonsnode.publiccode import parse_publiccode
from commonsnode.publiccode.vocabulary import LATEST_VERSION

DEMO_FILES = sorted(
    entry.name for entry in files("commonsnode.demo_data").iterdir() if entry.name.endswith(".yml")
)


def facts(name: str) -> ListingFacts:
    result = parse_publiccode(demo_file(name))
    assert result.listing is not None, result.findings
    return facts_from_publiccode(result.listing)


@pytest.mark.parametrize("name", DEMO_FILES)
def test_every_demo_file_parses_without_any_finding(name: str) -> None:
    result = parse_publiccode(demo_file(name))
    assert result.findings == (), [
        f"{f.line}:{f.column} {f.key}: {f.message}" for f in result.findings
    ]
    assert result.listing is not None
    assert result.listing.publiccode_yml_version == LATEST_VERSION
    assert result.listing.url.startswith("https://")


def test_every_demo_file_is_published_by_a_demo_organisation() -> None:
    handles = {handle for handle, *_ in DEMO_ORGANISATIONS}
    assert {handle for handle, _ in DEMO_LISTINGS} == handles  # nobody is left empty
    assert {name for _, name in DEMO_LISTINGS} == set(DEMO_FILES)  # no file is left out
    assert len(set(DEMO_LISTINGS)) == len(DEMO_LISTINGS)
    assert len(demo_listings()) == len(DEMO_LISTINGS)


def test_the_demo_catalog_is_varied() -> None:
    by_file = {name: facts(name) for name in DEMO_FILES}
    tools = Counter(repository_key(by_file[name].repository) for _, name in DEMO_LISTINGS)
    assert len(tools) >= 8
    shared = [key for key, listings in tools.items() if listings > 1]
    assert "github.com/decidim/decidim" in shared  # one tool, many listings
    assert len({x.name for x in by_file.values()}) >= 8
    assert len({x.license for x in by_file.values()}) >= 4
    assert len({x.development_status for x in by_file.values()}) >= 2
    assert len({x.software_type for x in by_file.values()}) >= 2
    assert len({c for x in by_file.values() for c in x.categories}) >= 15
    assert {"web", "windows", "linux", "mac"} <= {p for x in by_file.values() for p in x.platforms}
    multilingual = [x for x in by_file.values() if len(x.descriptions) >= 2]
    assert len(multilingual) >= 5
    assert len({d.language for x in by_file.values() for d in x.descriptions}) >= 5
    assert sum(1 for x in by_file.values() if x.used_by) >= 8
    kinds = {kind for _, _, kind, _ in DEMO_ORGANISATIONS}
    assert kinds == {"government", "civil-society", "developer", "support-company"}
