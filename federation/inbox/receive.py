"""The inbox edge: parse, block, authenticate, normalise, check origins, dedupe, enqueue, 202."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from commonsnode.jobs import NewJob
from commonsnode.ports import InboxEntry
from federation.authenticate import AuthenticationError, SenderGoneError, authenticate
from federation.fetch import FetchBudget
from federation.iris import host_of, origin_of
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.jsonld.shapes import first, id_of
from federation.runtime import Federation
from federation.signatures import SignatureError, SignedRequest, parse_incoming

INBOX_JOB = "inbox.process"
MAX_ID_LENGTH = 2048

Outcome = Literal["accepted", "duplicate", "dropped", "rejected"]


@dataclass(frozen=True, slots=True)
class InboxResult:
    """What the edge decided; the web layer maps it to a status without further logic."""

    status: int
    outcome: Outcome
    reason: str = ""


def _rejected(status: int, reason: str) -> InboxResult:
    return InboxResult(status, "rejected", reason)


def _http_iri(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value if len(value) <= MAX_ID_LENGTH else None
    return None


def _strip_foreign_embeds(fed: Federation, activity: dict[str, Any], actor: str) -> dict[str, Any]:
    """Keep an embedded object only when it is the actor's own (same origin, same author)
    or one of ours echoed back (Accept{Follow}: handlers match it against our own records,
    never trusting its content); anything else is reduced to its id and must be fetched
    from its origin by the handler. A relayed object with a proof stays embedded in an
    Announce: handlers/announce.py trusts it only once its FEP-8b32 proof verifies."""
    embedded = activity.get("object")
    if not isinstance(embedded, dict):
        return activity
    if first(activity.get("type")) == "Announce" and isinstance(embedded.get("proof"), dict):
        return activity
    object_id = id_of(embedded)
    author = id_of(embedded.get("attributedTo")) or id_of(embedded.get("actor"))
    same_origin = object_id is None or origin_of(object_id) == origin_of(actor)
    if same_origin and author in (None, actor):
        return activity
    ours = object_id is not None and fed.iris.is_local(object_id)
    if ours or (object_id is None and author is not None and fed.iris.is_local(author)):
        return activity
    return {**activity, "object": object_id} if object_id else {**activity, "object": None}


async def receive(fed: Federation, request: SignedRequest, recipient: str) -> InboxResult:
    """Run the edge pipeline for one POST to `recipient` (an inbox path)."""
    now = fed.clock.now()
    # 1. Parse: the cheapest refusal first. Size and content type were checked by the web layer.
    try:
        activity = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _rejected(400, "body is not JSON")
    if not isinstance(activity, dict):
        return _rejected(400, "body is not a JSON object")
    activity_id = _http_iri(activity.get("id"))
    actor = _http_iri(id_of(activity.get("actor")))
    activity_type = first(activity.get("type"))
    if activity_id is None or actor is None or not isinstance(activity_type, str):
        return _rejected(400, "an activity needs an http(s) id, an actor and a type")
    # 2. Read the signature (no key needed yet): unsigned or stale requests stop here.
    try:
        claim = parse_incoming(request, now=now)
    except SignatureError as exc:
        return _rejected(401, f"signature: {exc.reason}")
    # 3. Domain blocks, before any fetch: on the key's host and on the actor's host.
    policy = await fed.policy()
    if not policy.permits(host_of(claim.key_id)) or not policy.permits(host_of(actor)):
        return _rejected(403, "domain not permitted")
    # 4. Authenticate: the key verifies and the actor's own document lists it.
    budget = FetchBudget()
    try:
        sender = await authenticate(fed, request, claim, actor, budget)
    except SenderGoneError:
        if activity_type == "Delete" and id_of(activity.get("object")) == actor:
            return InboxResult(202, "dropped", "actor deleted; nothing left to verify")
        return _rejected(401, "actor_gone")
    except AuthenticationError as exc:
        return _rejected(401, exc.reason)
    # 5. JSON-LD: offline, unknown contexts and graph tricks refused.
    try:
        activity = normalise(activity)
    except JsonLdRejected as exc:
        return _rejected(400, f"json-ld: {exc}")
    if id_of(activity.get("actor")) != sender.actor or activity.get("id") != activity_id:
        return _rejected(400, "the activity's actor or id changed under JSON-LD compaction")
    # 6. Origins: the activity comes from its actor's server and not from ours.
    if origin_of(activity_id) != origin_of(actor):
        return _rejected(400, "activity id and actor are on different origins")
    if fed.iris.is_local(activity_id) or fed.iris.is_local(actor):
        return _rejected(400, "activity claims to be from this node")
    activity = _strip_foreign_embeds(fed, activity, actor)
    # 7. Dedupe and enqueue in one transaction; then answer 202 and work later.
    job = NewJob(
        INBOX_JOB,
        {"activity": activity, "recipient": recipient, "actor": actor},
        ordering_key=f"inbox:{actor}",
    )
    if not await fed.log_incoming(InboxEntry(activity_id, recipient, actor, job)):
        return InboxResult(202, "duplicate", "seen before")
    return InboxResult(202, "accepted")
