"""Ports: what the marketplace needs from persistence, as Protocols that storage implements."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from commonsnode.jobs import DeadJob, Job, JobFailure, NewJob
from commonsnode.keys import KeyPair, KeyType
from commonsnode.model.actors import RemoteActor, RemoteKey
from commonsnode.model.follows import Follow, FollowDirection, FollowState
from commonsnode.model.listings import ListingPage, ListingQuery, ToolListing, ToolPage
from commonsnode.model.moderation import DomainPolicy, DomainRule, FederationMode
from commonsnode.model.organisations import Organisation
from commonsnode.model.rating_aggregates import ScoreCount
from commonsnode.model.ratings import Rating, RatingPage
from commonsnode.model.reputation import HelpfulMark
from commonsnode.model.reputation_sources import ReputationSources, StoredScore


class JobOutbox(Protocol):
    """Enqueue jobs inside the caller's transaction (the transactional outbox)."""

    async def enqueue(self, job: NewJob) -> None:
        """Add one job; committed or rolled back with the rest of the unit of work."""

    async def enqueue_many(self, jobs: Sequence[NewJob]) -> None:
        """Add several jobs in one statement."""

    async def finish(self, job: Job) -> None:
        """Complete `job` in this transaction, so its effect and its completion are atomic."""

    async def purge_dead(self, before: float) -> int:
        """Delete dead jobs that died before `before` (kept until then for the operator)."""


class OrganisationRepository(Protocol):
    async def add(self, org: Organisation) -> None:
        """Insert; ConflictError when the handle is taken."""

    async def get_by_handle(self, handle: str) -> Organisation | None:
        """The organisation with this handle, or None."""

    async def get_by_id(self, org_id: str) -> Organisation | None:
        """The organisation with this id, or None."""

    async def list_all(self) -> list[Organisation]:
        """Every local organisation, oldest first."""

    async def update(self, org: Organisation) -> None:
        """Replace the mutable fields (name, summary, manual approval)."""


class KeyRepository(Protocol):
    async def add(self, owner: str, pair: KeyPair) -> None:
        """Store a key pair for an owner (`instance` or an organisation id)."""

    async def get(self, owner: str, key_type: KeyType) -> KeyPair | None:
        """The owner's key pair of this type, or None."""


class TokenRepository(Protocol):
    async def add(
        self, token_id: str, org_id: str, token_hash: str, created_at: float, *, operator: bool
    ) -> None:
        """Store the hash of a new API token (never the token itself)."""

    async def get(self, token_hash: str) -> tuple[str, bool] | None:
        """(organisation id, operator rights) of a live token, or None when unknown or revoked."""


class RemoteActorRepository(Protocol):
    async def upsert(self, actor: RemoteActor, keys: Sequence[RemoteKey]) -> None:
        """Store the actor and replace its key list with `keys` (rotation drops old keys)."""

    async def get(self, iri: str) -> RemoteActor | None:
        """The cached actor, or None."""

    async def get_key(self, key_id: str) -> RemoteKey | None:
        """A cached key by id, or None."""

    async def mark_gone(self, iri: str, now: float) -> None:
        """The actor was deleted (410 or Delete): keep the row, stop delivering."""

    async def with_inbox(self, inbox: str) -> list[str]:
        """IRIs of live actors that receive at `inbox` (personal or shared)."""

    async def record_key_failure(self, key_id: str, until: float, reason: str) -> None:
        """Negative-cache a failed key fetch until `until`."""

    async def key_failure(self, key_id: str, now: float) -> str | None:
        """The reason a key fetch failed recently, or None when it may be tried."""

    async def prune_key_failures(self, now: float) -> int:
        """Forget expired negative entries."""


class InboxLog(Protocol):
    async def record(self, activity_id: str, recipient: str, actor: str, now: float) -> bool:
        """Remember (activity, recipient inbox); False when it was seen before (a replay)."""

    async def prune(self, before: float) -> int:
        """Forget entries received before `before`."""


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One authenticated activity for one recipient inbox, ready to be logged and queued."""

    activity_id: str
    recipient: str
    actor: str
    job: NewJob


class InboxIngest(Protocol):
    async def record_batch(self, entries: Sequence[InboxEntry]) -> list[bool]:
        """Log and enqueue new entries in one transaction; False for replays (already seen)."""

    async def close(self) -> None:
        """Release what the ingest holds (a connection, a thread)."""


class TombstoneRepository(Protocol):
    async def add(self, iri: str, actor: str, now: float) -> None:
        """Remember that a remote object was deleted, so a late Create cannot resurrect it."""

    async def exists(self, iri: str) -> bool:
        """True when the object was deleted."""


class FollowRepository(Protocol):
    async def get(self, direction: FollowDirection, org_id: str, remote_iri: str) -> Follow | None:
        """The follow between a local org and a remote actor in this direction, or None."""

    async def get_by_activity(self, activity_iri: str) -> Follow | None:
        """The follow a Follow activity created, or None."""

    async def save(self, follow: Follow) -> None:
        """Insert or update by (direction, org, remote)."""

    async def delete(self, direction: FollowDirection, org_id: str, remote_iri: str) -> bool:
        """Remove a follow; False when there was none."""

    async def list(
        self,
        direction: FollowDirection,
        org_id: str,
        state: FollowState | None,
        limit: int,
        after: str | None = None,
    ) -> list[Follow]:
        """Follows of an org, oldest first, keyset-paged by follow id."""

    async def count(self, direction: FollowDirection, org_id: str, state: FollowState) -> int:
        """How many follows of this kind an org has."""

    async def follower_inboxes(self, org_id: str) -> list[str]:
        """Distinct delivery inboxes (shared preferred) of the org's accepted, live followers."""

    async def delete_remote(self, remote_iri: str) -> int:
        """Remove every follow with a remote actor (it was deleted or is gone)."""

    async def is_followed(self, remote_iri: str) -> bool:
        """True when at least one local organisation follows the actor (accepted)."""


class ListingRepository(Protocol):
    async def add(self, listing: ToolListing) -> None:
        """Insert; ConflictError when the org already lists that repository or the IRI is known."""

    async def update(self, listing: ToolListing) -> None:
        """Replace the facts, state, times and provenance of a stored listing."""

    async def get_by_id(self, listing_id: str) -> ToolListing | None:
        """The listing with this id (local or remote, any state), or None."""

    async def get_by_origin(self, origin_iri: str) -> ToolListing | None:
        """The remote listing whose object IRI is `origin_iri`, or None."""

    async def get_local_by_repository(self, org_id: str, key: str) -> ToolListing | None:
        """The org's published listing of the repository with this normalised key, or None."""

    async def delete(self, listing_id: str) -> bool:
        """Remove a listing (remote ones, when their author deletes them)."""

    async def search(self, query: ListingQuery) -> list[ToolListing]:
        """Published listings matching the query, newest first, keyset-paged by id."""

    async def search_page(self, query: ListingQuery) -> ListingPage:
        """A page of published listings (newest first, or by relevance with `q`) and facets."""

    async def by_repository(self, key: str) -> list[ToolListing]:
        """Every published listing (local and remote) of the repository with this key."""

    async def search_tools(self, query: ListingQuery) -> ToolPage:
        """Listings matching the query grouped into tools, best listing first, with facets."""

    async def by_org(self, org_id: str, limit: int, before: str | None = None) -> list[ToolListing]:
        """The org's published listings, newest first; `before` (a listing id) pages on."""

    async def count_by_org(self, org_id: str) -> int:
        """How many published listings the org has."""


class ActivityRepository(Protocol):
    async def add(
        self,
        activity_id: str,
        org_id: str | None,
        type_: str,
        document: str,
        now: float,
        *,
        public: bool,
    ) -> None:
        """Store an activity we published, so its id dereferences (public ones to anyone)."""

    async def get(self, activity_id: str) -> tuple[str | None, str, bool] | None:
        """(org id, JSON document, public) of a published activity, or None."""

    async def list_by_org(
        self, org_id: str, limit: int, before: str | None = None
    ) -> list[tuple[str, str]]:
        """(activity id, JSON document) pairs of an org's public activities, newest first."""

    async def count_by_org(self, org_id: str) -> int:
        """How many activities an org published."""


class ModerationRepository(Protocol):
    async def policy(self) -> DomainPolicy:
        """The current domain rules and federation mode."""

    async def set_rule(self, domain: str, rule: DomainRule, reason: str, now: float) -> None:
        """Block or allow a domain (replacing an earlier rule for it)."""

    async def remove_rule(self, domain: str) -> bool:
        """Drop the rule for a domain; False when there was none."""

    async def rules(self) -> list[tuple[str, DomainRule, str]]:
        """(domain, rule, reason) for every rule."""

    async def set_mode(self, mode: FederationMode) -> None:
        """Switch between open federation and allowlist mode."""

    async def block_actor(self, org_id: str, remote_iri: str, now: float) -> None:
        """A local org blocks a remote actor."""

    async def unblock_actor(self, org_id: str, remote_iri: str) -> bool:
        """Lift an org's block."""

    async def is_actor_blocked(self, org_id: str, remote_iri: str) -> bool:
        """True when the org blocks this actor."""


class HostStateRepository(Protocol):
    async def get(self, host: str, *, for_update: bool = False) -> dict[str, object] | None:
        """The stored per-host delivery state (federation owns its shape), or None;
        `for_update` locks the row until the transaction ends (PostgreSQL)."""

    async def put(self, host: str, state: dict[str, object], expires_at: float) -> None:
        """Store per-host state; it is forgotten after `expires_at`."""

    async def prune(self, now: float) -> int:
        """Forget expired host records (bounded state with thousands of failing hosts)."""


@dataclass(frozen=True, slots=True)
class CatalogFollow:
    """A follow of the node's catalog actor (`in`) or by it (`out`); `inbox` is where to send."""

    direction: FollowDirection
    remote_iri: str
    state: FollowState
    activity_iri: str
    inbox: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class AnnouncedObject:
    """An object the catalog announced: at most once per version (loops between hubs end)."""

    object_iri: str
    version: str
    listing_id: str | None  # a local listing, rendered in full in the catalog's outbox
    activity_id: str
    live: bool
    announced_at: float


@dataclass(frozen=True, slots=True)
class BackfillCursor:
    """Where the backfill of a followed catalog's outbox stands (resumable)."""

    remote_iri: str
    next_url: str | None
    pages: int
    items: int
    started_at: float
    finished_at: float | None


class CatalogRepository(Protocol):
    async def save_follow(self, follow: CatalogFollow) -> None:
        """Insert or replace by (direction, remote_iri)."""

    async def get_follow(self, direction: FollowDirection, remote_iri: str) -> CatalogFollow | None:
        """The catalog's follow with this actor in this direction, or None."""

    async def follow_by_activity(self, activity_iri: str) -> CatalogFollow | None:
        """The catalog follow a Follow activity created, or None."""

    async def delete_follow(self, direction: FollowDirection, remote_iri: str) -> bool:
        """Remove a catalog follow; False when there was none."""

    async def list_follows(
        self, direction: FollowDirection, limit: int, after: str | None = None
    ) -> list[CatalogFollow]:
        """Accepted follows in one direction, keyset-paged by remote IRI."""

    async def count_follows(self, direction: FollowDirection) -> int:
        """How many accepted follows in this direction."""

    async def follower_inboxes(self) -> list[str]:
        """Distinct inboxes of the catalog's accepted followers."""

    async def announced(self, object_iri: str) -> AnnouncedObject | None:
        """What the catalog last announced about this object, or None."""

    async def record_announce(self, entry: AnnouncedObject) -> None:
        """Insert or replace the object's entry."""

    async def outbox(
        self, limit: int, before: tuple[float, str] | None = None
    ) -> list[AnnouncedObject]:
        """Live announced objects, newest first, keyset-paged by (announced_at, object_iri)."""

    async def count_live(self) -> int:
        """How many live objects the catalog has announced."""

    async def backfill(self, remote_iri: str) -> BackfillCursor | None:
        """The backfill cursor of a followed catalog, or None."""

    async def save_backfill(self, cursor: BackfillCursor) -> None:
        """Insert or replace a backfill cursor."""

    async def origins_seen(self, iris: list[str]) -> set[str]:
        """Those of `iris` held as remote listings or tombstoned (one query for a page)."""


class RatingRepository(Protocol):
    async def save(self, rating: Rating) -> None:
        """Insert or replace by id (scores too); one rating per (listing, rater)."""

    async def get_by_id(self, rating_id: str) -> Rating | None:
        """The rating with this id, or None."""

    async def get_by_rater(self, listing_id: str, rater: str) -> Rating | None:
        """The rating of a listing by an organisation id or a remote author IRI, or None."""

    async def get_by_origin(self, origin_iri: str) -> Rating | None:
        """The remote rating whose Note IRI is `origin_iri`, or None."""

    async def delete(self, rating_id: str) -> bool:
        """Remove a rating and its scores; False when there was none."""

    async def page(self, listing_id: str, limit: int, after: str | None = None) -> RatingPage:
        """A listing's ratings, most recently changed first, keyset-paged."""

    async def score_counts(self, listing_ids: Sequence[str]) -> dict[str, list[ScoreCount]]:
        """Per listing: how many ratings gave each (criterion, value), per node (one query)."""


class ReputationRepository(Protocol):
    async def sources(self) -> ReputationSources:
        """Every row reputation reads: organisations, actors, listings, ratings, follows."""

    async def helpful_marks(self) -> list[HelpfulMark]:
        """Likes of experience reports; none until experience reports are stored."""

    async def note_nodes(self, nodes: Sequence[str], now: float) -> None:
        """Remember `now` as the first sighting of each node not seen before."""

    async def stored(self, subject: str) -> StoredScore | None: ...

    async def store(self, scores: Sequence[StoredScore], removed: Sequence[str]) -> None:
        """Write changed scores and drop those of subjects that no longer exist."""

    async def stored_subjects(self) -> dict[str, float]:
        """Every stored subject with its score, to compare a recomputation with."""


class UnitOfWork(Protocol):
    """The repositories bound to one database transaction."""

    organisations: OrganisationRepository
    keys: KeyRepository
    tokens: TokenRepository
    jobs: JobOutbox
    actors: RemoteActorRepository
    inbox_log: InboxLog
    tombstones: TombstoneRepository
    follows: FollowRepository
    listings: ListingRepository
    activities: ActivityRepository
    moderation: ModerationRepository
    hosts: HostStateRepository
    catalog: CatalogRepository
    ratings: RatingRepository
    reputation: ReputationRepository


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a transaction that commits on clean exit; `readonly` skips SQLite's write lock."""


class JobQueue(Protocol):
    """The worker's view of the job table: leased claim and settle, each one transaction."""

    async def enqueue_many(self, jobs: Sequence[NewJob]) -> None:
        """Enqueue outside any other transaction (CLI, tests, benchmarks)."""

    async def claim(self, worker: str, limit: int, lease_seconds: float) -> list[Job]:
        """Lease up to `limit` runnable jobs, oldest first, at most one per ordering key."""

    async def settle(self, done: Sequence[Job], failed: Sequence[JobFailure]) -> None:
        """Delete finished jobs and reschedule or bury failed ones, in one transaction.

        A job whose lease was lost (expired and claimed again) is left alone.
        """

    async def extend(self, jobs: Sequence[Job], lease_seconds: float) -> None:
        """Push the lease of running jobs forward (heartbeat)."""

    async def release(self, jobs: Sequence[Job]) -> None:
        """Give jobs back unrun (shutdown): ready again at once, the attempt not counted."""

    async def dead(self, limit: int = 100) -> list[DeadJob]:
        """Dead jobs, newest first, for the operator."""

    async def counts(self) -> dict[str, int]:
        """Number of jobs per state."""
