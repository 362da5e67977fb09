"""Listing rules: the repository key, the facts of a publiccode.yml, who may change what."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.listings import (
    ListingFacts,
    ListingText,
    Provenance,
    check_remote_facts,
    facts_from_publiccode,
    new_local_listing,
    remote_listing,
    repository_key,
    revise,
    revise_remote,
    withdraw,
)
from commonsnode.publiccode import parse_publiccode
from tests.conftest import SHARED

VALID = SHARED / "publiccode" / "v0" / "valid"
FACTS = ListingFacts(
    name="Medusa",
    repository="https://github.com/x/medusa",
    descriptions=(ListingText("it", "Breve", "Lunga"), ListingText("en-GB", "Short", "Long")),
    license="EUPL-1.2",
    development_status="stable",
    software_type="library",
)
AUTHOR = "https://b.example/orgs/dev"


def origin(received_at: float = 10.0) -> Provenance:
    return Provenance("https://b.example/l/1", AUTHOR, "b.example", received_at, AUTHOR)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://github.com/Italia/Medusa.git", "github.com/italia/medusa"),
        ("http://www.github.com/italia/medusa/", "github.com/italia/medusa"),
        ("https://user@gitlab.com:443/Group/Sub/Tool.git/", "gitlab.com/group/sub/tool"),
        ("https://git.example.org/Team/Tool", "git.example.org/Team/Tool"),
        ("https://git.example.org/Team/Tool?tab=readme#top", "git.example.org/Team/Tool"),
    ],
)
def test_repository_key_names_one_tool_however_its_url_is_written(url: str, key: str) -> None:
    assert repository_key(url) == key


def test_facts_of_a_publiccode_file_keep_what_is_searched_and_federated() -> None:
    listing = parse_publiccode((VALID / "valid.yml").read_text()).listing
    assert listing is not None
    facts = facts_from_publiccode(listing)
    assert (facts.name, facts.license, facts.release_date) == (
        "Medusa",
        "AGPL-3.0-or-later",
        "2017-04-15",
    )
    assert facts.platforms == ("android", "ios", "custom_platform")
    assert "blog" in facts.categories
    assert facts.countries == ("IT", "DE")
    assert facts.maintenance_type == "contract"
    assert facts.text().short_description == "A really interesting software."
    assert facts.text().features[0] == "Very important feature"


def test_text_prefers_the_asked_language_then_english_then_the_first() -> None:
    assert FACTS.text("it").short_description == "Breve"
    assert FACTS.text().short_description == "Short"
    only_it = replace(FACTS, descriptions=FACTS.descriptions[:1])
    assert only_it.text("fr").short_description == "Breve"


def test_only_the_publishing_organisation_changes_or_withdraws() -> None:
    listing = new_local_listing("l1", "org-a", FACTS, "yaml", 1.0)
    with pytest.raises(ForbiddenError):
        revise(listing, "org-b", FACTS, "yaml", 2.0)
    with pytest.raises(ForbiddenError):
        withdraw(listing, "org-b", 2.0)
    changed = revise(listing, "org-a", replace(FACTS, name="Medusa 2"), "yaml2", 2.0)
    assert (changed.facts.name, changed.updated_at, changed.published_at) == ("Medusa 2", 2.0, 1.0)


def test_withdrawal_is_final_and_idempotent() -> None:
    listing = withdraw(new_local_listing("l1", "org-a", FACTS, "yaml", 1.0), "org-a", 3.0)
    assert (listing.state, listing.withdrawn_at) == ("withdrawn", 3.0)
    assert withdraw(listing, "org-a", 4.0) is listing
    with pytest.raises(ConflictError):
        revise(listing, "org-a", FACTS, "yaml", 5.0)


def test_a_remote_listing_is_changed_only_by_its_author_and_keeps_that_author() -> None:
    listing = remote_listing("l1", FACTS, origin(), 5.0)
    assert (listing.is_local, listing.published_at, listing.updated_at) == (False, 5.0, 10.0)
    with pytest.raises(ForbiddenError):
        revise_remote(listing, "https://b.example/orgs/mallory", FACTS, 11.0, AUTHOR)
    changed = revise_remote(listing, AUTHOR, replace(FACTS, name="New"), 12.0, "https://hub")
    assert changed.provenance == replace(origin(), received_at=12.0, via_iri="https://hub")
    with pytest.raises(ForbiddenError):  # nobody on this node may change it either
        revise(listing, "org-a", FACTS, "yaml", 13.0)


@pytest.mark.parametrize(
    "bad",
    [
        replace(FACTS, name=" "),
        replace(FACTS, repository="ftp://x"),
        replace(FACTS, descriptions=()),
        replace(FACTS, license=""),
        replace(FACTS, categories=("x",) * 201),
        replace(FACTS, descriptions=(ListingText("en", "s" * 501, "l"),)),
    ],
)
def test_remote_facts_out_of_bounds_are_refused(bad: ListingFacts) -> None:
    with pytest.raises(InvalidError):
        check_remote_facts(bad)
