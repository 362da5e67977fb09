"""The privacy section of a tool's page: its A-E grade, why, and every answer with evidence."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.model.listings import Tool
from commonsnode.model.organisations import Organisation
from commonsnode.model.privacy_rubric import CRITERIA_BY_ID, RubricAnswer
from commonsnode.usecases.privacy import PrivacyRating, privacy_of_tool
from web.keys import CLOCK, FED, UOW
from web.pages.parts import external_link, host_of

LEVELS = {
    "self-declared": "Self-declared by a maintainer",
    "peer-reviewed": "Peer-reviewed by another organisation",
    "verified": "Verified by this node",
}
ANSWERS = {"yes": "Yes", "no": "No", "not-applicable": "Not applicable"}
KLASS = {"good": "good point", "bad": "bad point", "blocker": "blocker"}


def _who(iri: str, names: dict[str, tuple[str, str]]) -> str:
    """A local organisation's page link, or the remote actor's IRI as a link."""
    local = names.get(iri)
    if local is not None:
        handle, name = local
        return f'<a href="/orgs/{escape(handle)}">{escape(name)}</a>'
    name = iri.rstrip("/").rsplit("/", 1)[-1] or iri
    return external_link(iri, f"{name} ({host_of(iri)})")


def _status(answer: RubricAnswer, rating: PrivacyRating) -> str:
    refused = next((why for a, why in rating.refused if a == answer), None)
    if refused is not None:
        return f"Not counted: {refused}"
    for counted in rating.grade.counted:
        if counted.criterion == answer.criterion and counted.answered_by == answer.answered_by:
            return f"Counted ({counted.points:+g} points)" if counted.points else "Counted"
    return "Outranked by another answer to this question"


def privacy_html(rating: PrivacyRating, names: dict[str, tuple[str, str]]) -> str:
    """The section: grade and explanation, then a table of answers (an `h2` and its content).

    `names` maps local organisations' IRIs to (handle, name) for links."""
    grade = rating.grade
    heading = '<h2 id="privacy-heading">Privacy</h2>'
    if grade.letter is None:
        summary = "<p><strong>Not graded.</strong> Nobody has answered the privacy rubric yet.</p>"
    else:
        summary = (
            f"<p><strong>Privacy grade {escape(grade.letter)}</strong> "
            '<span class="meta">(A best, E worst)</span></p>'
            f"<p>{escape(grade.explanation)}</p>"
        )
    rows = []
    for answer in rating.answers:
        criterion = CRITERIA_BY_ID[answer.criterion]
        rows.append(
            "<tr>"
            f'<th scope="row">{escape(criterion.question)} '
            f'<span class="meta">({escape(answer.criterion)}, '
            f"{escape(KLASS[criterion.klass])})</span></th>"
            f"<td>{escape(ANSWERS[answer.answer])}</td>"
            f"<td>{escape(LEVELS[answer.level])}</td>"
            f"<td>{_who(answer.answered_by, names)}</td>"
            f"<td>{external_link(answer.evidence, 'evidence')}"
            f'<span class="sr"> for {escape(answer.criterion)}</span></td>'
            f"<td>{escape(_status(answer, rating))}</td>"
            "</tr>"
        )
    table = (
        "<table><caption>Answers to the privacy rubric</caption>"
        '<thead><tr><th scope="col">Question</th><th scope="col">Answer</th>'
        '<th scope="col">Level</th><th scope="col">Answered by</th>'
        '<th scope="col">Evidence</th><th scope="col">In the grade</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else ""
    )
    unanswered = (
        f'<p class="meta">{len(grade.unanswered)} of {len(CRITERIA_BY_ID)} questions are '
        "not answered yet; unanswered good points earn nothing.</p>"
        if grade.letter is not None and grade.unanswered
        else ""
    )
    return (
        f'<section aria-labelledby="privacy-heading">{heading}{summary}{table}{unanswered}'
        "</section>"
    )


async def privacy_section(request: web.Request, tool: Tool, orgs: dict[str, Organisation]) -> str:
    """The tool page's privacy section, graded now from the stored answers."""
    iris = request.app[FED].iris
    rating = await privacy_of_tool(request.app[UOW], request.app[CLOCK], tool.key, iris.org)
    names = {iris.org(org.handle): (org.handle, org.name) for org in orgs.values()}
    return privacy_html(rating, names)
