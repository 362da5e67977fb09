"""Deployments and offers as Notes (readable by Mastodon, read back into the same terms), and
listing Articles carrying who funded, built and maintains the tool."""

from __future__ import annotations

from datetime import date

import pytest

from commonsnode.model.listings import (
    DeclaredParty,
    ListingFacts,
    ListingText,
    new_local_listing,
)
from commonsnode.model.records import DeploymentTerms, ListingRecord, OfferTerms
from federation.convert.listings import from_ap, to_ap
from federation.convert.records import (
    RecordDocumentError,
    from_note,
    is_deployment,
    is_support_offer,
    record_tombstone,
    to_note,
)
from federation.iris import LocalIris
from federation.jsonld.normalise import normalise
from federation.vocab import AS_PUBLIC

IRIS = LocalIris("https://town.example")
LISTING = "https://city.example/listings/l1"
AUTHOR = "https://city.example/orgs/city"
TODAY = date(2026, 11, 27)


def record(terms: DeploymentTerms | OfferTerms, kind: str = "deployment") -> ListingRecord:  # type: ignore[type-arg]
    return ListingRecord(
        id="r1",
        kind=kind,  # type: ignore[arg-type]
        listing_id="l1",
        terms=terms,
        declarer_name="Town <of> Bramble",
        declared_at=1_700_000_000.0,
        updated_at=1_700_000_100.0,
        org_id="o1",
    )


def test_a_deployment_is_a_reply_mastodon_shows_and_our_peers_read_back() -> None:
    terms = DeploymentTerms("2021", "participatory budgeting", "40 000", "pilot first")
    note = to_note(record(terms), IRIS, "town", LISTING, "Decidim", AUTHOR)
    assert note["id"] == "https://town.example/deployments/r1"
    assert (note["type"], note["inReplyTo"], note["deploymentOf"]) == ("Note", LISTING, LISTING)
    assert note["attributedTo"] == "https://town.example/orgs/town"
    assert note["to"] == [AS_PUBLIC]
    assert note["cc"] == ["https://town.example/orgs/town/followers", AUTHOR]
    assert note["content"].startswith(
        "<p>Town &lt;of&gt; Bramble uses Decidim since 2021 for participatory budgeting."
    )
    assert "updated" in note
    assert normalise(note) == note  # our own context: the fast path, read untouched
    assert is_deployment(note)
    assert not is_support_offer(note)
    assert from_note(note, TODAY) == ("deployment", LISTING, terms)


def test_a_support_offer_round_trips() -> None:
    terms = OfferTerms(("hosting", "training"), ("IT", "EU"), ("it",), "https://a.example", "€")
    note = to_note(record(terms, "support"), IRIS, "acme", LISTING, "Decidim", None)
    assert note["id"] == "https://town.example/support-offers/r1"
    assert note["cc"] == ["https://town.example/orgs/acme/followers"]
    assert note["areaServed"] == ["IT", "EU"]
    assert "offers hosting, training for Decidim in IT, EU" in note["content"]
    assert is_support_offer(note)
    assert from_note(note, TODAY) == ("support", LISTING, terms)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deploymentOf": "urn:x"}, "deploymentOf"),
        ({"since": "tomorrow"}, "since"),
        ({"purpose": None}, "purpose"),
        ({"type": "Article"}, "not a Note"),
    ],
)
def test_a_note_that_is_not_a_readable_record_is_refused(
    change: dict[str, object], message: str
) -> None:
    note = to_note(record(DeploymentTerms("2021", "x")), IRIS, "town", LISTING, "D", None)
    with pytest.raises(RecordDocumentError, match=message):
        from_note({**note, **change}, TODAY)


def test_a_withdrawn_record_is_a_tombstone() -> None:
    tomb = record_tombstone(IRIS, "support", "r1", 1_700_000_000.0)
    assert tomb == {
        "id": "https://town.example/support-offers/r1",
        "type": "Tombstone",
        "formerType": "Note",
        "deleted": "2023-11-14T22:13:20Z",
    }


def test_a_listing_article_carries_funders_builders_and_maintainers() -> None:
    facts = ListingFacts(
        name="Medusa",
        repository="https://github.com/x/medusa",
        descriptions=(ListingText("en", "s", "l"),),
        license="EUPL-1.2",
        development_status="stable",
        software_type="standalone/web",
        parties=(
            DeclaredParty("funder", "Region", "https://region.example"),
            DeclaredParty("builder", "PCM"),
            DeclaredParty("maintainer", "Fornitore", "https://f.example"),
        ),
    )
    article = to_ap(new_local_listing("l1", "o1", facts, "", 1.0), IRIS, "city")
    assert article["fundedBy"] == [{"name": "Region", "url": "https://region.example"}]
    assert article["builtBy"] == [{"name": "PCM"}]
    assert article["maintenanceContractors"] == [{"name": "Fornitore", "url": "https://f.example"}]
    assert from_ap(article).parties == facts.parties
    hostile = {**article, "fundedBy": [{"name": "X", "url": "javascript:alert(1)"}, "bare", {}]}
    assert from_ap(hostile).parties[0] == DeclaredParty("funder", "X", None)
    assert from_ap({k: v for k, v in article.items() if k != "builtBy"}).parties == (
        facts.parties[0],
        facts.parties[2],
    )
