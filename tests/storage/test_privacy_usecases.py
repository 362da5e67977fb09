"""Privacy rubric use cases and storage, on SQLite and PostgreSQL: who answers at which level,
re-answering, withdrawal, and the stored grade that search filters and counts."""

from __future__ import annotations

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import ConflictError, InvalidError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.model.listings import ListingQuery, Provenance, remote_listing, withdraw
from commonsnode.model.organisations import Organisation
from commonsnode.model.privacy_rubric import CRITERIA, RubricAnswer
from commonsnode.usecases.privacy import (
    AnswerInput,
    answer_rubric,
    parse_answers,
    privacy_grade,
    privacy_of_listing,
    record_answers,
    withdraw_answers,
)
from commonsnode.usecases.search import search_catalog
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import facts, local, org

ORIGIN = "https://node.example"
REPO = "https://github.com/x/medusa"
KEY = "github.com/x/medusa"
DOCS = "https://docs.example/privacy"
BLOCKERS = [c.id for c in CRITERIA if c.klass == "blocker"]
GOOD = [c.id for c in CRITERIA if c.klass == "good"]


def org_iri(handle: str) -> str:
    return f"{ORIGIN}/orgs/{handle}"


def said(answers: dict[str, str], evidence: str = DOCS) -> list[AnswerInput]:
    return [AnswerInput(c, a, evidence) for c, a in answers.items()]


async def setup_tool(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> tuple[Organisation, Organisation, str]:
    """`dev` publishes the tool (a maintainer); `city` publishes another tool only."""
    dev = await org(uow, clock, "dev")
    city = await org(uow, clock, "city")
    listing = local(dev.id, clock)
    other = local(city.id, clock, repo="https://git.example/other", name="Other")
    async with uow() as tx:
        await tx.listings.add(listing)
        await tx.listings.add(other)
    return dev, city, listing.id


async def test_levels_follow_who_answers(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    dev, city, listing_id = await setup_tool(uow, clock)
    await answer_rubric(uow, clock, dev, listing_id, said({"deletion": "yes"}), org_iri)
    await answer_rubric(uow, clock, city, listing_id, said({"deletion": "no"}), org_iri)
    rating = await answer_rubric(
        uow, clock, city, listing_id, said({"data-export": "yes"}), org_iri, operator=True
    )
    levels = {(a.answered_by, a.criterion): a.level for a in rating.answers}
    assert levels == {
        (org_iri("dev"), "deletion"): "self-declared",
        (org_iri("city"), "deletion"): "peer-reviewed",
        (org_iri("city"), "data-export"): "verified",
    }
    # A maintainer with an operator token still only self-declares.
    rating = await answer_rubric(
        uow, clock, dev, listing_id, said({"access-control": "yes"}), org_iri, operator=True
    )
    assert {a.level for a in rating.answers if a.answered_by == org_iri("dev")} == {"self-declared"}
    # The peer review outranks the maintainer's claim: deletion counts as "no".
    counted = {c.criterion: c for c in rating.grade.counted}
    assert counted["deletion"].answer == "no"
    assert counted["deletion"].level == "peer-reviewed"
    assert counted["data-export"].points == 3.0  # verified: full weight


async def test_reanswering_replaces_and_the_grade_is_stored_for_search(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    _dev, city, listing_id = await setup_tool(uow, clock)
    assert await privacy_grade(uow, KEY) is None
    everything = {**dict.fromkeys(GOOD, "yes"), **dict.fromkeys(BLOCKERS, "no")}
    rating = await answer_rubric(uow, clock, city, listing_id, said(everything), org_iri)
    assert rating.grade.letter == "A"  # 0.8 of every good point, blockers peer-reviewed
    assert await privacy_grade(uow, KEY) == "A"
    rating = await answer_rubric(
        uow, clock, city, listing_id, said({"sells-personal-data": "yes"}, DOCS + "#2"), org_iri
    )
    mine = [a for a in rating.answers if a.criterion == "sells-personal-data"]
    assert [(a.answer, a.evidence) for a in mine] == [("yes", DOCS + "#2")]  # replaced
    assert rating.grade.letter == "D"
    assert await privacy_grade(uow, KEY) == "D"
    for privacy, expected in (("D", [listing_id]), ("A", []), ("not-graded", None)):
        page = await search_catalog(uow, ListingQuery(privacy=privacy))
        ids = [x.id for x in page.listings]
        if expected is None:
            assert listing_id not in ids
            assert len(ids) == 1
        else:
            assert ids == expected
    facet = {f.value: f.count for f in page.facets["privacy"]}
    assert facet == {"not-graded": 1}
    page = await search_catalog(uow, ListingQuery())
    assert [(f.value, f.count) for f in page.facets["privacy"]] == [("D", 1), ("not-graded", 1)]
    with pytest.raises(InvalidError):
        await search_catalog(uow, ListingQuery(privacy="F"))


async def test_a_listing_published_later_takes_the_tools_grade(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    _dev, city, listing_id = await setup_tool(uow, clock)
    await answer_rubric(uow, clock, city, listing_id, said({"deletion": "yes"}), org_iri)
    letter = await privacy_grade(uow, KEY)
    assert letter == "E"
    clock.advance(1)
    theirs = remote_listing(
        new_id(clock.now()),
        facts(),
        Provenance(
            "https://b.example/l/1",
            "https://b.example/orgs/b",
            "b.example",
            clock.now(),
            "https://b.example/orgs/b",
        ),
        clock.now(),
    )
    async with uow() as tx:
        await tx.listings.add(theirs)
    page = await search_catalog(uow, ListingQuery(privacy="E"))
    assert {x.id for x in page.listings} == {listing_id, theirs.id}


async def test_a_bad_answer_writes_nothing(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    _dev, city, listing_id = await setup_tool(uow, clock)
    for bad, field in (
        ({"criterion": "nope", "answer": "yes", "evidence": DOCS}, "answers[1].criterion"),
        ({"criterion": "deletion", "answer": "maybe", "evidence": DOCS}, "answers[1].answer"),
        ({"criterion": "deletion", "answer": "yes", "evidence": "ftp://x"}, "answers[1].evidence"),
        (
            {"criterion": "deletion", "answer": "not-applicable", "evidence": DOCS},
            "answers[1].answer",
        ),
    ):
        inputs = parse_answers(
            [{"criterion": "self-hostable", "answer": "yes", "evidence": DOCS}, bad]
        )
        with pytest.raises(InvalidError) as raised:
            await answer_rubric(uow, clock, city, listing_id, inputs, org_iri)
        assert raised.value.field == field
    rating = await privacy_of_listing(uow, clock, listing_id, org_iri)
    assert rating.answers == ()
    assert rating.grade.letter is None


def test_parse_answers_refuses_malformed_bodies() -> None:
    item = {"criterion": "deletion", "answer": "yes", "evidence": DOCS}
    for body, field in (
        (None, "answers"),
        ([], "answers"),
        ("deletion", "answers"),
        ([item, item], "answers"),
        ([{**item, "level": "verified"}], "answers[0]"),  # the level is never the caller's
        ([{**item, "evidence": 3}], "answers[0].evidence"),
        (["deletion"], "answers[0]"),
        ([item] * (len(CRITERIA) + 1), "answers"),
    ):
        with pytest.raises(InvalidError) as raised:
            parse_answers(body)
        assert raised.value.field == field, body
    assert parse_answers([item]) == [AnswerInput("deletion", "yes", DOCS)]


async def test_withdrawal_removes_only_ones_own_answers(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    dev, city, listing_id = await setup_tool(uow, clock)
    await answer_rubric(
        uow, clock, dev, listing_id, said({"deletion": "yes", "data-export": "yes"}), org_iri
    )
    await answer_rubric(uow, clock, city, listing_id, said({"deletion": "yes"}), org_iri)
    rating = await withdraw_answers(uow, clock, dev, listing_id, org_iri, ["data-export"])
    assert {(a.answered_by, a.criterion) for a in rating.answers} == {
        (org_iri("dev"), "deletion"),
        (org_iri("city"), "deletion"),
    }
    await withdraw_answers(uow, clock, city, listing_id, org_iri)
    rating = await withdraw_answers(uow, clock, dev, listing_id, org_iri)
    assert rating.answers == ()
    assert rating.grade.letter is None
    assert await privacy_grade(uow, KEY) is None
    page = await search_catalog(uow, ListingQuery(privacy="not-graded"))
    assert listing_id in [x.id for x in page.listings]
    with pytest.raises(NotFoundError):
        await withdraw_answers(uow, clock, dev, listing_id, org_iri)
    with pytest.raises(InvalidError):
        await withdraw_answers(uow, clock, dev, listing_id, org_iri, ["nope"])


async def test_a_reviewer_who_becomes_a_maintainer_no_longer_counts_as_a_peer(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    _dev, city, listing_id = await setup_tool(uow, clock)
    await answer_rubric(uow, clock, city, listing_id, said({"deletion": "yes"}), org_iri)
    clock.advance(1)
    async with uow() as tx:
        await tx.listings.add(local(city.id, clock))  # city now publishes the tool too
    assert await privacy_grade(uow, KEY) == "E"  # stale until someone reads the rubric
    rating = await privacy_of_listing(uow, clock, listing_id, org_iri)
    assert [a.answered_by for a, _ in rating.refused] == [org_iri("city")]
    assert await privacy_grade(uow, KEY) is None  # reading it stored the fresh grade
    assert rating.grade.letter is None  # its only answer no longer counts
    rating = await answer_rubric(uow, clock, city, listing_id, said({"deletion": "yes"}), org_iri)
    assert [a.level for a in rating.answers] == ["self-declared"]
    assert rating.refused == ()
    assert rating.grade.letter == "E"


async def test_a_remote_actors_answer_enters_the_same_way(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    """Federation later: an answer keyed by a remote actor IRI, the level decided here."""
    _dev, _city, _listing_id = await setup_tool(uow, clock)
    remote = "https://b.example/orgs/auditor"
    async with uow() as tx:
        rating = await record_answers(
            tx, clock, KEY, frozenset({org_iri("dev")}), remote, said({"deletion": "yes"})
        )
    assert rating.answers == (RubricAnswer("deletion", "yes", DOCS, "peer-reviewed", remote),)
    assert await privacy_grade(uow, KEY) == "E"


async def test_only_published_listings_take_answers(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    dev, city, listing_id = await setup_tool(uow, clock)
    with pytest.raises(NotFoundError):
        await answer_rubric(uow, clock, city, "nope", said({"deletion": "yes"}), org_iri)
    async with uow() as tx:
        listing = await tx.listings.get_by_id(listing_id)
        assert listing is not None
        await tx.listings.update(withdraw(listing, dev.id, clock.now()))
    with pytest.raises(ConflictError):
        await answer_rubric(uow, clock, city, listing_id, said({"deletion": "yes"}), org_iri)
    assert (await privacy_of_listing(uow, clock, listing_id, org_iri)).grade.letter is None
