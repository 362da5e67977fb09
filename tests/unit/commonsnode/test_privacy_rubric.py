"""The privacy rubric: page and code agree, answers are validated, grades follow the rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commonsnode.errors import ForbiddenError, InvalidError
from commonsnode.model.privacy_rubric import (
    CRITERIA,
    CRITERIA_BY_ID,
    RubricAnswer,
    admissible,
    check_level,
    grade,
    level_allowed,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "privacy-rubric.md"
MAINTAINER = "https://dev.example/orgs/maker"
PEER = "https://city.example/orgs/city"
AUDITOR = "https://audit.example/orgs/auditor"
GOOD = [c.id for c in CRITERIA if c.klass == "good"]
BAD = [c.id for c in CRITERIA if c.klass == "bad"]
BLOCKERS = [c.id for c in CRITERIA if c.klass == "blocker"]


def answer(criterion: str, value: str = "yes", level: str = "self-declared") -> RubricAnswer:
    by = {"self-declared": MAINTAINER, "peer-reviewed": PEER, "verified": AUDITOR}[level]
    return RubricAnswer(criterion, value, f"https://evidence.example/{criterion}", level, by)  # type: ignore[arg-type]


def blockers_no(level: str) -> list[RubricAnswer]:
    return [answer(c, "no", level) for c in BLOCKERS]


def test_doc_and_code_list_the_same_criteria() -> None:
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| (good|bad|blocker) \| (\d+|—) \|", DOC.read_text(), re.M
    )
    in_doc = {cid: (klass, 0 if weight == "—" else int(weight)) for cid, klass, weight in rows}
    in_code = {c.id: (c.klass, c.weight) for c in CRITERIA}
    assert in_doc == in_code
    assert len(CRITERIA) >= 12
    bullets = set(re.findall(r"^- \*\*`([a-z0-9-]+)`\*\*", DOC.read_text(), re.M))
    assert bullets == set(in_code)
    total = sum(c.weight for c in CRITERIA if c.klass == "good")
    assert f"Good weights add up to **{total}**" in DOC.read_text()


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("criterion", {"criterion": "cookies"}, "not in the privacy rubric"),
        ("answer", {"answer": "maybe"}, "yes, no, not-applicable"),
        ("answer", {"answer": "not-applicable"}, "cannot be not-applicable"),
        ("evidence", {"evidence": "javascript:alert(1)"}, "http or https"),
        ("evidence", {"evidence": "ftp://x.example/a"}, "http or https"),
        ("evidence", {"evidence": "https://"}, "http or https"),
        ("evidence", {"evidence": "https://x.example/" + "a" * 2048}, "at most 2048"),
        ("level", {"level": "audited"}, "self-declared, peer-reviewed, verified"),
        ("answered_by", {"answered_by": "acct:city@city.example"}, "IRI"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(
    field: str, kwargs: dict[str, str], message: str
) -> None:
    values = {
        "criterion": "deletion",
        "answer": "yes",
        "evidence": "https://docs.example/erase",
        "level": "self-declared",
        "answered_by": MAINTAINER,
    } | kwargs
    with pytest.raises(InvalidError, match=message) as error:
        RubricAnswer(**values)  # type: ignore[arg-type]
    assert error.value.field == field


def test_not_applicable_only_where_the_criterion_allows_it() -> None:
    assert CRITERIA_BY_ID["processor-agreement"].may_be_not_applicable
    ok = answer("processor-agreement", "not-applicable")
    assert ok.answer == "not-applicable"


def test_levels_follow_who_answers() -> None:
    maintainers = {MAINTAINER}
    verifiers = {AUDITOR}
    assert level_allowed("self-declared", MAINTAINER, maintainers) is None
    assert level_allowed("peer-reviewed", PEER, maintainers) is None
    assert level_allowed("verified", AUDITOR, maintainers, verifiers) is None
    assert "may only self-declare" in str(level_allowed("peer-reviewed", MAINTAINER, maintainers))
    assert "may only self-declare" in str(
        level_allowed("verified", MAINTAINER, maintainers, {MAINTAINER})
    )
    assert "only a maintainer" in str(level_allowed("self-declared", PEER, maintainers))
    assert "verifiers" in str(level_allowed("verified", PEER, maintainers, verifiers))
    with pytest.raises(ForbiddenError, match="may only self-declare") as error:
        check_level(
            RubricAnswer("deletion", "yes", "https://e.example/", "peer-reviewed", MAINTAINER),
            maintainers,
        )
    assert error.value.field == "level"


def test_admissible_keeps_only_answers_at_allowed_levels() -> None:
    good = answer("deletion")
    forged = RubricAnswer("deletion", "yes", "https://e.example/", "verified", MAINTAINER)
    kept, refused = admissible([good, forged], {MAINTAINER}, {AUDITOR})
    assert kept == [good]
    assert refused == [(forged, "a maintainer of the tool may only self-declare, not verified")]


def test_no_answers_is_not_graded() -> None:
    result = grade([])
    assert result.letter is None
    assert result.facet == "not-graded"
    assert "Not graded" in result.explanation


def test_every_letter_is_reachable() -> None:
    verified_all = [answer(c, "yes", "verified") for c in GOOD] + blockers_no("peer-reviewed")
    assert grade(verified_all).letter == "A"
    assert grade(verified_all).score == 100.0
    assert grade(verified_all).facet == "A"

    peer_all = [answer(c, "yes", "peer-reviewed") for c in GOOD] + blockers_no("verified")
    assert grade(peer_all).score == 80.0
    assert grade(peer_all).letter == "A"

    # 80 points, but nobody but the maintainer says there are no blockers: capped at B.
    capped = [answer(c, "yes", "peer-reviewed") for c in GOOD] + blockers_no("self-declared")
    result = grade(capped)
    assert result.letter == "B"
    assert any("at most B" in cap for cap in result.caps)

    # The maintainer alone: every good criterion self-declared yes is 50 points.
    alone = [answer(c) for c in GOOD] + blockers_no("self-declared")
    assert grade(alone).score == 50.0
    assert grade(alone).letter == "C"

    # One bad point (3 of 29) pulls 50 below 50: D.
    telemetry = [*alone, answer("telemetry-by-default", "yes")]
    assert grade(telemetry).letter == "D"

    few = [answer("deletion"), answer("data-export")]
    assert grade(few).letter == "E"
    assert set(grade(few).unanswered) >= set(BLOCKERS)


def test_one_blocker_caps_at_d_two_at_e() -> None:
    best = [answer(c, "yes", "verified") for c in GOOD]
    one = [*best, answer("third-party-trackers", "yes", "self-declared")]
    result = grade(one)
    assert result.score == 100.0
    assert result.letter == "D"
    assert result.caps == ("blocker third-party-trackers answered yes: at most D",)
    two = [*one, answer("plaintext-credentials", "yes", "peer-reviewed")]
    assert grade(two).letter == "E"
    assert "at most E" in grade(two).explanation


def test_cap_does_not_raise_a_worse_letter() -> None:
    result = grade([answer("deletion"), answer("sells-personal-data", "yes")])
    assert result.letter == "E"
    assert "already lower" in result.caps[0]


def test_higher_level_outranks_and_ties_go_against_the_tool() -> None:
    claimed = answer("third-party-trackers", "yes", "self-declared")
    checked = answer("third-party-trackers", "no", "peer-reviewed")
    result = grade([claimed, checked])
    assert not any("at most D" in cap for cap in result.caps)
    assert result.overruled == (claimed,)
    # Two peers disagree at the same level: the answer worse for the tool counts.
    other_peer = RubricAnswer(
        "deletion", "no", "https://evidence.example/b", "peer-reviewed", AUDITOR
    )
    result = grade([answer("deletion", "yes", "peer-reviewed"), other_peer])
    counted = {c.criterion: c for c in result.counted}
    assert counted["deletion"].answer == "no"
    assert result.earned == 0


def test_evidence_level_changes_what_a_yes_earns() -> None:
    def earned(level: str) -> float:
        return grade([answer("deletion", "yes", level)]).earned

    assert (earned("self-declared"), earned("peer-reviewed"), earned("verified")) == (
        1.5,
        2.4,
        3.0,
    )
    # Penalties count fully at any level.
    assert grade([answer("telemetry-by-default", "yes")]).penalty == 3


def test_the_worked_example_of_the_page() -> None:
    maintainer = [answer(c) for c in ("self-hostable", "data-export", "deletion")]
    maintainer += [answer("encryption-in-transit"), *blockers_no("self-declared")]
    maintainer += [answer("processor-agreement", "not-applicable")]
    peer = [answer(c, "yes", "peer-reviewed") for c in ("data-minimisation", "privacy-by-default")]
    peer += [answer("telemetry-by-default", "yes", "peer-reviewed")]
    result = grade(maintainer + peer)
    assert result.possible == 27
    assert result.score == 24.1
    assert result.letter == "E"
    rest = [
        answer(c, "yes", "peer-reviewed")
        for c in GOOD
        if c
        not in {
            "self-hostable",
            "data-export",
            "deletion",
            "encryption-in-transit",
            "processor-agreement",
        }
    ]
    result = grade(maintainer + peer + rest)
    assert result.score == 56.7
    assert result.letter == "C"
