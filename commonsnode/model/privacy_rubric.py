"""The privacy rubric (docs/privacy-rubric.md) as data, its answers, and the A-E grading rule.

The page and this module must list the same criteria: tests compare them. Grading is a pure
function of the answers, so a grade can be recomputed anywhere (this node, a peer, a reader
with a pencil) and always explained.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import urlsplit

from commonsnode.errors import ForbiddenError, InvalidError

CriterionClass = Literal["good", "bad", "blocker"]
AnswerValue = Literal["yes", "no", "not-applicable"]
EvidenceLevel = Literal["self-declared", "peer-reviewed", "verified"]
Letter = Literal["A", "B", "C", "D", "E"]

ANSWER_VALUES: tuple[str, ...] = get_args(AnswerValue)
EVIDENCE_LEVELS: tuple[str, ...] = get_args(EvidenceLevel)
LETTERS: tuple[str, ...] = get_args(Letter)

# What a good "yes" earns, per level: claims nobody else checked count for half.
LEVEL_CREDIT: dict[str, float] = {"self-declared": 0.5, "peer-reviewed": 0.8, "verified": 1.0}
_LEVEL_RANK = {"self-declared": 0, "peer-reviewed": 1, "verified": 2}
# Lowest score for each letter, best first.
LETTER_FLOORS: tuple[tuple[Letter, float], ...] = (("A", 80), ("B", 65), ("C", 50), ("D", 35))
MAX_URL = 2048
# Values of the privacy search facet: a tool nobody assessed is "not-graded", never "E".
FACET_VALUES: tuple[str, ...] = (*LETTERS, "not-graded")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One rubric question; `weight` is 0 for blockers, which cap instead of costing points."""

    id: str
    klass: CriterionClass
    weight: int
    question: str
    source: str
    evidence: str
    may_be_not_applicable: bool = False


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "self-hostable",
        "good",
        3,
        "Can the deploying organisation run the whole tool on infrastructure it controls?",
        "DPG indicator 4; ToS;DR-style point",
        "installation documentation covering every component, or a deployment by another org",
    ),
    Criterion(
        "data-minimisation",
        "good",
        3,
        "Does the tool ask for and keep only the personal data its documented functions need?",
        "GDPR Art. 5(1)(c), Art. 25(1)",
        "the data model or form definitions, with the purpose of each personal field",
    ),
    Criterion(
        "privacy-by-default",
        "good",
        2,
        "Are the shipped defaults the most privacy-protective ones?",
        "GDPR Art. 25(2)",
        "the default configuration file or the settings documentation",
    ),
    Criterion(
        "data-inventory",
        "good",
        2,
        "Does the documentation list the personal data stored, where, why and for how long?",
        "GDPR Art. 30; DPG indicator 9A",
        "the page or file that lists it",
    ),
    Criterion(
        "retention-limits",
        "good",
        2,
        "Can the deployer set retention periods, after which the tool deletes or anonymises?",
        "GDPR Art. 5(1)(e)",
        "the setting's documentation, or the code of the clean-up job",
    ),
    Criterion(
        "data-export",
        "good",
        3,
        "Can data be exported in a structured, machine-readable, non-proprietary format?",
        "GDPR Art. 20; DPG indicator 6",
        "the export feature's documentation or an example export",
    ),
    Criterion(
        "deletion",
        "good",
        3,
        "Can a person's data be erased on request, including from indexes and backups?",
        "GDPR Art. 17, Art. 5(1)(e); ToS;DR-style point",
        "the erasure feature's documentation",
    ),
    Criterion(
        "encryption-in-transit",
        "good",
        2,
        "Is every connection carrying personal data encrypted (TLS 1.2+), without fallback?",
        "GDPR Art. 32(1)(a)",
        "deployment or security documentation, or a TLS scan of a reference deployment",
    ),
    Criterion(
        "encryption-at-rest",
        "good",
        1,
        "Can personal data at rest (database, uploads, backups) be encrypted, as documented?",
        "GDPR Art. 32(1)(a)",
        "the documentation of the option",
    ),
    Criterion(
        "access-control",
        "good",
        2,
        "Is access to personal data limited by roles, with administrators' access logged?",
        "GDPR Art. 32(1)(b), Art. 5(1)(f)",
        "the permission model's documentation",
    ),
    Criterion(
        "security-process",
        "good",
        2,
        "Is there a published vulnerability reporting process and a record of security fixes?",
        "GDPR Art. 32(1)(d); DPG indicator 9A",
        "SECURITY.md or the advisories page",
    ),
    Criterion(
        "dpia-support",
        "good",
        1,
        "Does the project publish material for a data-protection impact assessment?",
        "GDPR Art. 35",
        "the document",
    ),
    Criterion(
        "processor-agreement",
        "good",
        2,
        "When the maintainer or its support partner processes personal data for the deployer, "
        "is an Art. 28(3) data-processing agreement offered?",
        "GDPR Art. 28(3)",
        "the agreement template, or documentation that nobody but the deployer gets access",
        may_be_not_applicable=True,
    ),
    Criterion(
        "privacy-policy",
        "good",
        1,
        "Does the project state how the tool complies with applicable privacy law?",
        "DPG indicator 7; GDPR Art. 5(1)(a)",
        "the statement",
    ),
    Criterion(
        "telemetry-by-default",
        "bad",
        3,
        "Does the tool send telemetry to the maintainer or others unless turned off?",
        "ToS;DR-style point; GDPR Art. 25(2)",
        "the telemetry documentation or the code that sends it",
    ),
    Criterion(
        "third-party-cloud-required",
        "bad",
        3,
        "Does a core function need a third-party service that receives personal data?",
        "ToS;DR-style point; DPG indicator 4; GDPR Art. 28",
        "the dependency list or the documentation",
    ),
    Criterion(
        "third-party-trackers",
        "blocker",
        0,
        "Does the tool, as shipped, embed third-party trackers, analytics or advertising?",
        "ToS;DR-style blocker; GDPR Art. 5(1)(b)",
        "a scan of a reference deployment, or the code that embeds them",
    ),
    Criterion(
        "plaintext-credentials",
        "blocker",
        0,
        "Does the tool store credentials in plain text or reversibly encrypted?",
        "GDPR Art. 32(1)",
        "the code or documentation of credential storage",
    ),
    Criterion(
        "sells-personal-data",
        "blocker",
        0,
        "Does the maintainer sell, rent or pass on personal data processed by the tool?",
        "ToS;DR-style blocker; GDPR Art. 5(1)(b)",
        "the terms, privacy statement or a published finding",
    ),
)
CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True, slots=True)
class RubricAnswer:
    """One answer to one criterion, with its evidence link, level and who gave it.

    Built only valid: a bad field raises InvalidError naming it, so an answer read from an API
    body or a remote server is either whole and usable or refused.
    """

    criterion: str
    answer: AnswerValue
    evidence: str
    level: EvidenceLevel
    answered_by: str

    def __post_init__(self) -> None:
        criterion = CRITERIA_BY_ID.get(self.criterion)
        if criterion is None:
            raise InvalidError(
                f"criterion {self.criterion!r}: not in the privacy rubric "
                "(see docs/privacy-rubric.md for the ids)",
                field="criterion",
            )
        if self.answer not in ANSWER_VALUES:
            raise InvalidError(
                f"answer {self.answer!r}: must be one of {', '.join(ANSWER_VALUES)}",
                field="answer",
            )
        if self.answer == "not-applicable" and not criterion.may_be_not_applicable:
            raise InvalidError(
                f"answer: {self.criterion} must be answered yes or no, it cannot be not-applicable",
                field="answer",
            )
        if (
            not isinstance(self.evidence, str)
            or len(self.evidence) > MAX_URL
            or not _is_web_url(self.evidence)
        ):
            raise InvalidError(
                f"evidence: a link (http or https URL, at most {MAX_URL} characters) is required",
                field="evidence",
            )
        if self.level not in EVIDENCE_LEVELS:
            raise InvalidError(
                f"level {self.level!r}: must be one of {', '.join(EVIDENCE_LEVELS)}",
                field="level",
            )
        if (
            not isinstance(self.answered_by, str)
            or len(self.answered_by) > MAX_URL
            or not _is_web_url(self.answered_by)
        ):
            raise InvalidError(
                "answered_by: the IRI (http or https) of the answering organisation",
                field="answered_by",
            )


def level_allowed(
    level: EvidenceLevel,
    answered_by: str,
    maintainers: Collection[str],
    verifiers: Collection[str] = (),
) -> str | None:
    """Why `answered_by` may not answer at `level` for a tool kept by `maintainers`, or None.

    Maintainers only self-declare; anyone else peer-reviews; verifying needs the node's trust
    as a verifier, and a maintainer never verifies its own tool.
    """
    is_maintainer = answered_by in maintainers
    if level == "self-declared":
        if not is_maintainer:
            return "only a maintainer of the tool self-declares; other organisations peer-review"
        return None
    if is_maintainer:
        return "a maintainer of the tool may only self-declare, not " + level
    if level == "verified" and answered_by not in verifiers:
        return "verified answers come only from organisations this node accepts as verifiers"
    return None


def check_level(
    answer: RubricAnswer, maintainers: Collection[str], verifiers: Collection[str] = ()
) -> RubricAnswer:
    """Refuse (ForbiddenError) an answer given at a level its author may not use."""
    reason = level_allowed(answer.level, answer.answered_by, maintainers, verifiers)
    if reason is not None:
        raise ForbiddenError(f"level: {reason}", field="level")
    return answer


def admissible(
    answers: Iterable[RubricAnswer],
    maintainers: Collection[str],
    verifiers: Collection[str] = (),
) -> tuple[list[RubricAnswer], list[tuple[RubricAnswer, str]]]:
    """Split answers (say, received from other servers) into usable ones and refused ones.

    Grading only the usable ones keeps one mislabelled answer from refusing a whole rating.
    """
    kept: list[RubricAnswer] = []
    refused: list[tuple[RubricAnswer, str]] = []
    for answer in answers:
        reason = level_allowed(answer.level, answer.answered_by, maintainers, verifiers)
        if reason is None:
            kept.append(answer)
        else:
            refused.append((answer, reason))
    return kept, refused


@dataclass(frozen=True, slots=True)
class CountedAnswer:
    """How one criterion's deciding answer entered the grade."""

    criterion: str
    klass: CriterionClass
    answer: AnswerValue
    level: EvidenceLevel
    answered_by: str
    evidence: str
    points: float  # earned (good yes), negative (bad yes), 0 otherwise


@dataclass(frozen=True, slots=True)
class Grade:
    """A rubric grade: the letter (None when nothing was answered) and how it was reached."""

    letter: Letter | None
    score: float  # 0-100 before caps
    earned: float
    penalty: float
    possible: float
    counted: tuple[CountedAnswer, ...]
    unanswered: tuple[str, ...]
    caps: tuple[str, ...]  # one line per cap that applied, e.g. "blocker third-party-trackers"
    overruled: tuple[RubricAnswer, ...]  # answers another one outranked

    @property
    def facet(self) -> str:
        """The search-facet value: the letter, or "not-graded"."""
        return self.letter or "not-graded"

    @property
    def explanation(self) -> str:
        """A short text for the tool page: the score, the letter and what capped it."""
        if self.letter is None:
            return "Not graded: nobody has answered the privacy rubric yet."
        text = (
            f"{self.letter}: {self.earned:g} points earned − {self.penalty:g} penalty "
            f"of {self.possible:g} possible = {self.score:.1f}"
        )
        if self.caps:
            text += "; capped: " + "; ".join(self.caps)
        return text


def _unfavourable(criterion: Criterion, answer: AnswerValue) -> int:
    """Lower is worse for the tool: ties at one level go to the worse answer."""
    if criterion.klass == "good":
        return {"no": 0, "yes": 1, "not-applicable": 2}[answer]
    return {"yes": 0, "no": 1, "not-applicable": 2}[answer]


def deciding_answers(
    answers: Iterable[RubricAnswer],
) -> tuple[dict[str, RubricAnswer], list[RubricAnswer]]:
    """One answer per criterion: the highest level wins, ties go to the answer worse for the tool.

    Returns the deciding answers by criterion id and the answers they overruled.
    """
    deciding: dict[str, RubricAnswer] = {}
    overruled: list[RubricAnswer] = []
    for answer in answers:
        criterion = CRITERIA_BY_ID[answer.criterion]
        current = deciding.get(answer.criterion)
        if current is None:
            deciding[answer.criterion] = answer
            continue
        key_new = (-_LEVEL_RANK[answer.level], _unfavourable(criterion, answer.answer))
        key_old = (-_LEVEL_RANK[current.level], _unfavourable(criterion, current.answer))
        if key_new < key_old:
            deciding[answer.criterion] = answer
            overruled.append(current)
        else:
            overruled.append(answer)
    return deciding, overruled


def letter_for(score: float) -> Letter:
    """The letter a score earns before caps (A from 80, B 65, C 50, D 35, else E)."""
    for letter, floor in LETTER_FLOORS:
        if score >= floor:
            return letter
    return "E"


def grade(answers: Iterable[RubricAnswer]) -> Grade:
    """Grade answers (already checked with `check_level`) by the rule in docs/privacy-rubric.md."""
    deciding, overruled = deciding_answers(answers)
    possible = earned = penalty = 0.0
    counted: list[CountedAnswer] = []
    caps: list[str] = []
    blockers_yes: list[str] = []
    blockers_unconfirmed: list[str] = []
    for criterion in CRITERIA:
        answer = deciding.get(criterion.id)
        if criterion.klass == "good" and (answer is None or answer.answer != "not-applicable"):
            possible += criterion.weight
        if answer is None:
            if criterion.klass == "blocker":
                blockers_unconfirmed.append(criterion.id)
            continue
        points = 0.0
        if criterion.klass == "good" and answer.answer == "yes":
            points = criterion.weight * LEVEL_CREDIT[answer.level]
            earned += points
        elif criterion.klass == "bad" and answer.answer == "yes":
            points = -float(criterion.weight)
            penalty += criterion.weight
        elif criterion.klass == "blocker":
            if answer.answer == "yes":
                blockers_yes.append(criterion.id)
            elif answer.level == "self-declared":
                blockers_unconfirmed.append(criterion.id)
        counted.append(
            CountedAnswer(
                criterion=criterion.id,
                klass=criterion.klass,
                answer=answer.answer,
                level=answer.level,
                answered_by=answer.answered_by,
                evidence=answer.evidence,
                points=points,
            )
        )
    unanswered = tuple(c.id for c in CRITERIA if c.id not in deciding)
    score = round(max(0.0, earned - penalty) / possible * 100, 1) if possible else 0.0
    letter: Letter | None = letter_for(score) if deciding else None
    if letter is not None:
        floor: Letter = letter
        if len(blockers_yes) >= 2:
            floor = "E"
            caps.append("blockers " + ", ".join(blockers_yes) + " answered yes: at most E")
        elif blockers_yes:
            floor = "D"
            caps.append(f"blocker {blockers_yes[0]} answered yes: at most D")
        elif blockers_unconfirmed:
            floor = "B"
            caps.append(
                "blockers not confirmed no by a peer review or verification ("
                + ", ".join(sorted(blockers_unconfirmed))
                + "): at most B"
            )
        if LETTERS.index(floor) > LETTERS.index(letter):
            letter = floor
        elif caps:
            caps = [cap + " (the score is already lower)" for cap in caps]
    return Grade(
        letter=letter,
        score=score,
        earned=round(earned, 2),
        penalty=penalty,
        possible=possible,
        counted=tuple(counted),
        unanswered=unanswered,
        caps=tuple(caps),
        overruled=tuple(overruled),
    )
