"""Use-cases for the privacy rubric of a tool: answer, withdraw, read; the grade kept current.

Answers belong to the tool (every listing of one repository key) and are keyed by the
answering actor's IRI, so an answer from another node can enter through `record_answers`
just as a local organisation's does. The level is never taken from the caller: this node
decides it from who answers (docs/privacy-rubric.md), and the stored grade, which search
filters on, is recomputed in the same transaction as every change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ConflictError, InvalidError, NotFoundError
from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.privacy_rubric import (
    CRITERIA,
    CRITERIA_BY_ID,
    EvidenceLevel,
    Grade,
    RubricAnswer,
    admissible,
    check_level,
    grade,
)
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory

# The IRI of a local organisation from its handle (federation.iris.LocalIris.org).
OrgIri = Callable[[str], str]
ANSWER_FIELDS = frozenset({"criterion", "answer", "evidence"})


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """One answer as a caller sends it: the level is decided here, never by the caller."""

    criterion: str
    answer: str
    evidence: str


@dataclass(frozen=True, slots=True)
class PrivacyRating:
    """A tool's rubric: its grade, every stored answer, and those that no longer count."""

    key: str
    grade: Grade
    answers: tuple[RubricAnswer, ...]
    refused: tuple[tuple[RubricAnswer, str], ...]
    maintainers: frozenset[str]


def parse_answers(items: Any) -> list[AnswerInput]:
    """Read `answers` from a request body: a non-empty list of {criterion, answer, evidence},
    each criterion at most once. Errors name the offending entry, e.g. `answers[2].evidence`."""
    if not isinstance(items, list) or not items:
        raise InvalidError("answers: a non-empty list of answers", field="answers")
    if len(items) > len(CRITERIA):
        raise InvalidError(f"answers: at most {len(CRITERIA)} (one per criterion)", field="answers")
    found: list[AnswerInput] = []
    for index, item in enumerate(items):
        where = f"answers[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidError(f"{where}: an object with criterion, answer, evidence", field=where)
        unknown = sorted(set(item) - ANSWER_FIELDS)
        if unknown:
            raise InvalidError(f"{where}: unknown field {unknown[0]!r}", field=where)
        for name in sorted(ANSWER_FIELDS):
            if not isinstance(item.get(name), str):
                raise InvalidError(f"{where}.{name}: a string is required", field=f"{where}.{name}")
        found.append(AnswerInput(item["criterion"], item["answer"], item["evidence"]))
    criteria = [a.criterion for a in found]
    repeated = next((c for c in criteria if criteria.count(c) > 1), None)
    if repeated is not None:
        raise InvalidError(f"answers: criterion {repeated!r} is answered twice", field="answers")
    return found


def level_for(answered_by: str, maintainers: frozenset[str], *, verifier: bool) -> EvidenceLevel:
    """The level this node gives an answer: maintainers self-declare, whoever the node accepts
    as a verifier verifies, anyone else peer-reviews."""
    if answered_by in maintainers:
        return "self-declared"
    return "verified" if verifier else "peer-reviewed"


async def maintainers_of(
    tx: UnitOfWork, listings: Sequence[ToolListing], org_iri: OrgIri
) -> frozenset[str]:
    """Actor IRIs of every publisher of a listing of the tool: local organisations and the
    authors of remote listings. They maintain the tool, so they may only self-declare."""
    found: set[str] = set()
    for listing in listings:
        if listing.provenance is not None:
            found.add(listing.provenance.author_iri)
        elif listing.org_id is not None:
            org = await tx.organisations.get_by_id(listing.org_id)
            if org is not None:
                found.add(org_iri(org.handle))
    return frozenset(found)


def rate(key: str, answers: Sequence[RubricAnswer], maintainers: frozenset[str]) -> PrivacyRating:
    """Grade the stored answers that still count. Levels were decided when stored; an answer
    whose author has since become a maintainer (it published a listing) is refused."""
    verifiers = {a.answered_by for a in answers if a.level == "verified"}
    kept, refused = admissible(answers, maintainers, verifiers)
    return PrivacyRating(key, grade(kept), tuple(answers), tuple(refused), maintainers)


async def _tool(tx: UnitOfWork, listing_id: str) -> tuple[str, list[ToolListing]]:
    listing = await tx.listings.get_by_id(listing_id)
    if listing is None:
        raise NotFoundError(f"no listing {listing_id}")
    if listing.state != "published":
        raise ConflictError("this listing was withdrawn; rate the tool through a published one")
    key = listing.repository_key
    return key, await tx.listings.by_repository(key)


async def _regrade(
    tx: UnitOfWork, clock: Clock, key: str, maintainers: frozenset[str]
) -> PrivacyRating:
    rating = rate(key, await tx.privacy.answers(key), maintainers)
    await tx.privacy.save_grade(key, rating.grade.letter, rating.grade.score, clock.now())
    return rating


async def record_answers(
    tx: UnitOfWork,
    clock: Clock,
    key: str,
    maintainers: frozenset[str],
    answered_by: str,
    inputs: Sequence[AnswerInput],
    *,
    verifier: bool = False,
) -> PrivacyRating:
    """Store `answered_by`'s answers to the tool (each replacing its earlier answer to that
    criterion) and regrade, inside the caller's transaction. Every answer is checked before
    anything is written, so a bad one leaves the stored rubric as it was."""
    level = level_for(answered_by, maintainers, verifier=verifier)
    verifiers = {answered_by} if verifier else set()
    answers = []
    for index, given in enumerate(inputs):
        try:
            answer = RubricAnswer(
                given.criterion,
                given.answer,  # type: ignore[arg-type]
                given.evidence,
                level,
                answered_by,
            )
        except InvalidError as exc:
            where = f"answers[{index}].{exc.field}" if exc.field else f"answers[{index}]"
            raise InvalidError(f"answers[{index}].{exc.detail}", field=where) from None
        answers.append(check_level(answer, maintainers, verifiers))
    await tx.privacy.save_answers(key, answers, clock.now())
    return await _regrade(tx, clock, key, maintainers)


async def answer_rubric(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    inputs: Sequence[AnswerInput],
    org_iri: OrgIri,
    *,
    operator: bool = False,
) -> PrivacyRating:
    """The organisation answers criteria for the tool of a published listing. With an operator
    token it answers for the node, which verifies (unless it maintains the tool)."""
    async with uow() as tx:
        key, listings = await _tool(tx, listing_id)
        maintainers = await maintainers_of(tx, listings, org_iri)
        return await record_answers(
            tx, clock, key, maintainers, org_iri(org.handle), inputs, verifier=operator
        )


async def answer_tool_rubric(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    key: str,
    inputs: Sequence[AnswerInput],
    org_iri: OrgIri,
) -> PrivacyRating:
    """As `answer_rubric`, by repository key (the demo and the CLI know tools, not listings)."""
    async with uow() as tx:
        listings = await tx.listings.by_repository(key)
        if not listings:
            raise NotFoundError(f"no published listing of {key}")
        maintainers = await maintainers_of(tx, listings, org_iri)
        return await record_answers(tx, clock, key, maintainers, org_iri(org.handle), inputs)


async def withdraw_answers(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    org_iri: OrgIri,
    criteria: Sequence[str] | None = None,
) -> PrivacyRating:
    """Remove the organisation's own answers for the tool (only `criteria` when given) and
    regrade; NotFoundError when it had none there."""
    unknown = [c for c in criteria or () if c not in CRITERIA_BY_ID]
    if unknown:
        raise InvalidError(
            f"criterion {unknown[0]!r}: not in the privacy rubric", field="criterion"
        )
    async with uow() as tx:
        key, listings = await _tool(tx, listing_id)
        removed = await tx.privacy.delete_answers(key, org_iri(org.handle), criteria)
        if not removed:
            raise NotFoundError("this organisation has no answer to withdraw for this tool")
        return await _regrade(tx, clock, key, await maintainers_of(tx, listings, org_iri))


async def privacy_of_listing(
    uow: UnitOfWorkFactory, clock: Clock, listing_id: str, org_iri: OrgIri
) -> PrivacyRating:
    """The rubric of the tool a listing belongs to (any listing, withdrawn ones too)."""
    async with uow(readonly=True) as tx:
        listing = await tx.listings.get_by_id(listing_id)
        if listing is None:
            raise NotFoundError(f"no listing {listing_id}")
        rating, stored = await _read(tx, listing.repository_key, org_iri)
    return await _repair(uow, clock, rating, stored, org_iri)


async def privacy_of_tool(
    uow: UnitOfWorkFactory, clock: Clock, key: str, org_iri: OrgIri
) -> PrivacyRating:
    """The rubric of one tool, graded now from its stored answers."""
    async with uow(readonly=True) as tx:
        rating, stored = await _read(tx, key, org_iri)
    return await _repair(uow, clock, rating, stored, org_iri)


async def _read(tx: UnitOfWork, key: str, org_iri: OrgIri) -> tuple[PrivacyRating, str | None]:
    listings = await tx.listings.by_repository(key)
    maintainers = await maintainers_of(tx, listings, org_iri)
    rating = rate(key, await tx.privacy.answers(key), maintainers)
    return rating, await tx.privacy.grade_letter(key)


async def _repair(
    uow: UnitOfWorkFactory,
    clock: Clock,
    rating: PrivacyRating,
    stored: str | None,
    org_iri: OrgIri,
) -> PrivacyRating:
    """Store the fresh grade when it differs from the stored one. Answers regrade at once, but
    the maintainers can change without an answer (a reviewer publishes a listing of the tool):
    reading the rubric then brings the letter search uses up to date."""
    if rating.grade.letter == stored:
        return rating
    async with uow() as tx:
        rating, _ = await _read(tx, rating.key, org_iri)
        await tx.privacy.save_grade(
            rating.key, rating.grade.letter, rating.grade.score, clock.now()
        )
    return rating


async def privacy_grade(uow: UnitOfWorkFactory, key: str) -> str | None:
    """The tool's stored letter (what search filters on), or None when not graded."""
    async with uow(readonly=True) as tx:
        return await tx.privacy.grade_letter(key)
