"""The node's catalog actor (`/catalog`, a `Group` in the FEP-1b12 style).

It Announces what the node's organisations publish to its followers (remote catalogs, hubs,
Mastodon users); a catalog may itself follow other catalogs, and a node configured as a hub
re-Announces what its member catalogs announce (federation/announce.py). Its follows,
activities and deliveries run beside the organisations' ones: own table, own fan-out job and
a Sender that signs with the catalog's key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from commonsnode.credit_events import credit_replay_job
from commonsnode.errors import NotFoundError
from commonsnode.ids import new_id
from commonsnode.jobs import Job, NewJob
from commonsnode.keys import KeyPair, generate_actor_keys
from commonsnode.ports import BackfillCursor, CatalogFollow, UnitOfWork, UnitOfWorkFactory
from commonsnode.worker import PermanentJobError
from federation.actors import ACTOR_CONTEXT, _keys
from federation.delivery import fanout
from federation.delivery.send import Sender
from federation.fetch import FetchBudget
from federation.follows import resolve_follow_target
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.handlers import follows
from federation.iris import LocalIris
from federation.jsonld.shapes import first, id_of
from federation.outbox import activity_key
from federation.resolve import ResolveError, resolve_actor
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

CATALOG_OWNER = "catalog"  # key-store owner name, beside the instance actor's "instance"
CATALOG_NAME = "catalog"  # preferredUsername and WebFinger name: acct:catalog@host
CATALOG_FANOUT_JOB = "catalog.fanout"
CATALOG_SEND_JOB = "catalog.send"
BACKFILL_JOB = "catalog.backfill"


@dataclass(frozen=True, slots=True)
class CatalogSettings:
    """Configuration of the catalog: hub mode, outbox page size, backfill bounds."""

    hub: bool = False
    page_size: int = 40
    backfill_pages_per_run: int = 25
    backfill_max_pages: int = 5000


def catalog_settings(section: Any) -> CatalogSettings:
    """From the `[federation]` section of the node configuration."""
    return CatalogSettings(
        hub=section.hub,
        page_size=section.catalog_page_size,
        backfill_pages_per_run=section.backfill_pages_per_run,
    )


# --- IRIs ---------------------------------------------------------------------------------
def catalog_iri(iris: LocalIris) -> str:
    return f"{iris.origin}/catalog"


def catalog_key_id(iris: LocalIris) -> str:
    return f"{catalog_iri(iris)}#main-key"


def catalog_inbox(iris: LocalIris) -> str:
    return f"{catalog_iri(iris)}/inbox"


def catalog_outbox(iris: LocalIris) -> str:
    return f"{catalog_iri(iris)}/outbox"


def catalog_followers(iris: LocalIris) -> str:
    return f"{catalog_iri(iris)}/followers"


def catalog_following(iris: LocalIris) -> str:
    return f"{catalog_iri(iris)}/following"


# --- keys and the actor document ------------------------------------------------------------
async def ensure_catalog_keys(uow: UnitOfWorkFactory) -> tuple[KeyPair, KeyPair]:
    """The catalog's key pairs, generated on first use (init, migrate, or lazily); idempotent."""
    async with uow(readonly=True) as tx:
        rsa_pair = await tx.keys.get(CATALOG_OWNER, "rsa")
        ed_pair = await tx.keys.get(CATALOG_OWNER, "ed25519")
    if rsa_pair is not None and ed_pair is not None:
        return rsa_pair, ed_pair
    pairs = generate_actor_keys()
    async with uow() as tx:
        if await tx.keys.get(CATALOG_OWNER, "rsa") is None:
            for pair in pairs:
                await tx.keys.add(CATALOG_OWNER, pair)
        rsa_pair = await tx.keys.get(CATALOG_OWNER, "rsa")
        ed_pair = await tx.keys.get(CATALOG_OWNER, "ed25519")
    if rsa_pair is None or ed_pair is None:
        raise RuntimeError("the catalog's keys could not be stored")
    return rsa_pair, ed_pair


async def catalog_keys(fed: Federation) -> tuple[KeyPair, KeyPair]:
    """The catalog's key pairs from memory after the first read: no key-table transaction on
    GET /catalog or a delivery (init still creates them, ensure_catalog_keys stays the way)."""
    if fed.catalog_key_pairs is None:
        fed.catalog_key_pairs = await ensure_catalog_keys(fed.uow)
    return fed.catalog_key_pairs


def render_catalog_actor(
    iris: LocalIris, node_name: str, pairs: tuple[KeyPair, KeyPair]
) -> dict[str, Any]:
    """The catalog as a `Group`: followable from Mastodon as @catalog@host."""
    actor = catalog_iri(iris)
    return {
        "@context": ACTOR_CONTEXT,
        "id": actor,
        "type": "Group",
        "preferredUsername": CATALOG_NAME,
        "name": f"{node_name}: catalog",
        "summary": "<p>Every tool listing the organisations of this node publish.</p>",
        "url": actor,
        "inbox": catalog_inbox(iris),
        "outbox": catalog_outbox(iris),
        "followers": catalog_followers(iris),
        "following": catalog_following(iris),
        "endpoints": {"sharedInbox": iris.shared_inbox()},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        **_keys(catalog_key_id(iris), f"{actor}#ed25519-key", actor, pairs),
    }


# --- sending ------------------------------------------------------------------------------
def new_catalog_activity(
    iris: LocalIris, type_: str, object_: Any, now: float, **extra: Any
) -> dict[str, Any]:
    return {
        "@context": DEFAULT_CONTEXT,
        "id": iris.activity(new_id(now)),
        "type": type_,
        "actor": catalog_iri(iris),
        "object": object_,
        **extra,
    }


async def publish_catalog(
    tx: UnitOfWork,
    iris: LocalIris,
    activity: dict[str, Any],
    now: float,
    *,
    followers: bool,
    inboxes: tuple[str, ...] = (),
    except_origins: tuple[str, ...] = (),
    behind: str | None = None,
) -> str:
    """Store a catalog activity (dereferenceable, no organisation) and enqueue its fan-out;
    `except_origins`: inboxes on these origins are left out (a hub's relay does not go back
    to the node it came from); `behind`: as for outbox.publish."""
    key = activity_key(iris, activity)
    public = AS_PUBLIC in (activity.get("to") or []) or AS_PUBLIC in (activity.get("cc") or [])
    await tx.activities.add(
        key, None, str(activity["type"]), json.dumps(activity), now, public=public
    )
    payload: dict[str, Any] = {"activity": key, "followers": followers, "inboxes": list(inboxes)}
    if except_origins:
        payload["except_origins"] = sorted(except_origins)
    if behind is not None:
        payload["behind"] = behind
    await tx.jobs.enqueue(
        NewJob(CATALOG_FANOUT_JOB, payload, ordering_key=catalog_fanout_key(activity))
    )
    return key


def catalog_fanout_key(activity: dict[str, Any]) -> str:
    """The ordering key of a catalog activity's fan-out job (see outbox.fanout_key)."""
    return f"fanout:catalog:{id_of(activity.get('object')) or activity['id']}"


async def handle_fanout(fed: Federation, job: Job) -> None:
    """One delivery job per unique inbox of the catalog's followers (and named inboxes)."""
    await fanout.expand(
        fed,
        job,
        send_job=CATALOG_SEND_JOB,
        signer=CATALOG_OWNER,
        follower_inboxes=lambda tx: tx.catalog.follower_inboxes(),
    )


class CatalogSender(Sender):
    """The delivery of catalog activities: same retries and host records, the catalog's key."""

    _catalog_pem: str | None = None

    async def _document(self, tx: UnitOfWork, payload: Mapping[str, Any]) -> tuple[bytes, str]:
        found = await tx.activities.get(payload["activity"])
        if found is None:
            raise PermanentJobError("the catalog activity is gone")
        return found[1].encode("utf-8"), catalog_key_id(self.fed.iris)

    async def _private_pem(self, payload: Mapping[str, Any]) -> str:
        if self._catalog_pem is None:
            rsa_pair, _ = await catalog_keys(self.fed)
            self._catalog_pem = rsa_pair.private_pem
        return self._catalog_pem


# --- following other catalogs ---------------------------------------------------------------
async def follow_catalog(fed: Federation, target: str) -> CatalogFollow:
    """Our catalog asks to follow `target` (a catalog, a hub, any actor); backfill on Accept."""
    actor = await resolve_follow_target(
        fed, target, local="the catalog cannot follow an actor of this node"
    )
    now = fed.clock.now()
    activity = new_catalog_activity(fed.iris, "Follow", actor.iri, now, to=[actor.iri])
    async with fed.uow() as tx:
        existing = await tx.catalog.get_follow("out", actor.iri)
        if existing is not None and existing.state == "accepted":
            return existing
        record = CatalogFollow(
            direction="out",
            remote_iri=actor.iri,
            state="pending",
            activity_iri=activity["id"],
            inbox=actor.inbox,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await tx.catalog.save_follow(record)
        await publish_catalog(tx, fed.iris, activity, now, followers=False, inboxes=(actor.inbox,))
    return record


async def unfollow_catalog(fed: Federation, remote_iri: str) -> None:
    """Undo{Follow} by the catalog."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        existing = await tx.catalog.get_follow("out", remote_iri)
        if existing is None:
            raise NotFoundError(f"the catalog does not follow {remote_iri}")
        await tx.catalog.delete_follow("out", remote_iri)
        original = {
            "id": existing.activity_iri,
            "type": "Follow",
            "actor": catalog_iri(fed.iris),
            "object": remote_iri,
        }
        undo = new_catalog_activity(fed.iris, "Undo", original, now, to=[remote_iri])
        await publish_catalog(tx, fed.iris, undo, now, followers=False, inboxes=(existing.inbox,))


# --- the follow handshake, when the catalog is one side --------------------------------------
async def handle_follow(fed: Federation, incoming: Incoming) -> None:
    """A Follow of our catalog is accepted at once; any other goes to the organisations'."""
    if id_of(incoming.activity.get("object")) != catalog_iri(fed.iris):
        await follows.handle_follow(fed, incoming)
        return
    try:
        actor = await resolve_actor(fed, incoming.actor, FetchBudget())
    except ResolveError as exc:
        raise HandlerError(f"follower unreachable: {exc.reason}") from exc
    now = fed.clock.now()
    async with fed.uow() as tx:
        existing = await tx.catalog.get_follow("in", actor.iri)
        record = CatalogFollow(
            direction="in",
            remote_iri=actor.iri,
            state="accepted",
            activity_iri=str(incoming.activity["id"]),
            inbox=actor.delivery_inbox,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await tx.catalog.save_follow(record)
        original = {
            "id": record.activity_iri,
            "type": "Follow",
            "actor": actor.iri,
            "object": catalog_iri(fed.iris),
        }
        accept = new_catalog_activity(fed.iris, "Accept", original, now, to=[actor.iri])
        await publish_catalog(tx, fed.iris, accept, now, followers=False, inboxes=(actor.inbox,))
        if existing is None or existing.state != "accepted":
            # A new follower is sent, after the Accept, the credits announced before it
            # followed (federation/credits.py); a Follow sent again does not replay them.
            replay = credit_replay_job(
                actor.iri,
                actor.inbox,
                None,
                ordering_key=catalog_fanout_key(accept),
                behind=record.activity_iri,
            )
            await tx.jobs.enqueue(replay)


async def _our_catalog_follow(
    fed: Federation, tx: UnitOfWork, incoming: Incoming
) -> CatalogFollow | None:
    inner = incoming.activity.get("object")
    record = await tx.catalog.follow_by_activity(id_of(inner) or "")
    if (
        record is None
        and isinstance(inner, dict)
        and id_of(inner.get("actor")) == catalog_iri(fed.iris)
    ):
        record = await tx.catalog.get_follow("out", incoming.actor)
    if record is not None and record.direction != "out":
        return None
    return record


async def _answer(fed: Federation, incoming: Incoming, *, accept: bool) -> bool:
    """Accept/Reject of the catalog's follow; False when the answer is not about it."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        record = await _our_catalog_follow(fed, tx, incoming)
        if record is None:
            return False
        if record.remote_iri != incoming.actor:
            raise HandlerError("only the followed actor can answer a follow")
        state = "accepted" if accept else "rejected"
        if record.state == state:
            return True
        await tx.catalog.save_follow(replace(record, state=state, updated_at=now))
        if accept:  # what the followed catalog published before: its outbox, paged
            await tx.catalog.save_backfill(BackfillCursor(record.remote_iri, None, 0, 0, now, None))
            await tx.jobs.enqueue(
                NewJob(
                    BACKFILL_JOB,
                    {"catalog": record.remote_iri},
                    ordering_key=f"backfill:{record.remote_iri}",
                )
            )
    return True


async def handle_accept(fed: Federation, incoming: Incoming) -> None:
    if not await _answer(fed, incoming, accept=True):
        await follows.handle_accept(fed, incoming)


async def handle_reject(fed: Federation, incoming: Incoming) -> None:
    if not await _answer(fed, incoming, accept=False):
        await follows.handle_reject(fed, incoming)


async def handle_undo(fed: Federation, incoming: Incoming) -> None:
    """Undo{Follow} of our catalog by its follower; anything else goes to the organisations'."""
    inner = incoming.activity.get("object")
    async with fed.uow() as tx:
        record = await tx.catalog.follow_by_activity(id_of(inner) or "")
        if (
            record is None
            and isinstance(inner, dict)
            and first(inner.get("type")) == "Follow"
            and id_of(inner.get("object")) == catalog_iri(fed.iris)
        ):
            record = await tx.catalog.get_follow("in", incoming.actor)
        if record is not None:
            if record.direction != "in" or record.remote_iri != incoming.actor:
                raise HandlerError("an actor can only undo its own follow")
            await tx.catalog.delete_follow("in", record.remote_iri)
            return
    await follows.handle_undo(fed, incoming)
