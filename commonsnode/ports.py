"""Ports: what the marketplace needs from persistence, as Protocols that storage implements."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from commonsnode.jobs import DeadJob, Job, JobFailure, NewJob
from commonsnode.keys import KeyPair, KeyType
from commonsnode.model.actors import RemoteActor, RemoteKey
from commonsnode.model.bids import Bid
from commonsnode.model.contracts import Contract
from commonsnode.model.flags import Flag, FlagState
from commonsnode.model.follows import Follow, FollowDirection, FollowState
from commonsnode.model.ledger import Payment
from commonsnode.model.listings import ListingPage, ListingQuery, ToolListing, ToolPage
from commonsnode.model.moderation import DomainPolicy, DomainRule, FederationMode
from commonsnode.model.organisations import Organisation
from commonsnode.model.privacy_rubric import RubricAnswer
from commonsnode.model.rating_aggregates import ScoreCount
from commonsnode.model.ratings import Rating, RatingPage
from commonsnode.model.records import Credit, DeploymentTerms, ListingRecord, OfferTerms, RecordT
from commonsnode.model.reports import Comment, ExperienceReport
from commonsnode.model.reputation_sources import HelpfulSource, ReputationSources, StoredScore
from commonsnode.model.requests import Request


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

    async def is_followed(self, remote_iri: str, state: FollowState = "accepted") -> bool:
        """True when at least one local organisation follows the actor (accepted; or, with
        `state="pending"`, has asked to and awaits the answer)."""


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


class ListingRecordRepository(Protocol[RecordT]):
    """Deployments or support offers (one repository per kind), local and remote."""

    async def save(self, record: ListingRecord[RecordT]) -> None:
        """Insert or replace by id; ConflictError when the org already has one for the listing."""

    async def get_by_id(self, record_id: str) -> ListingRecord[RecordT] | None:
        """The record with this id, or None."""

    async def get_by_origin(self, origin_iri: str) -> ListingRecord[RecordT] | None:
        """The remote record whose object IRI is `origin_iri`, or None."""

    async def get_local(self, listing_id: str, org_id: str) -> ListingRecord[RecordT] | None:
        """The local organisation's record about the listing, or None."""

    async def get_remote(self, listing_id: str, author_iri: str) -> ListingRecord[RecordT] | None:
        """The remote author's record about the listing, or None."""

    async def delete(self, record_id: str) -> bool:
        """Remove a record; False when there was none."""

    async def for_listings(self, listing_ids: Sequence[str]) -> list[ListingRecord[RecordT]]:
        """Every record about these listings, oldest first."""

    async def counts(self, listing_ids: Sequence[str]) -> dict[str, int]:
        """How many records each of these listings has (absent: none)."""


class CreditRepository(Protocol):
    async def replace_declared(self, listing_id: str, credits: Sequence[Credit]) -> None:
        """The listing's `publiccode` credits become exactly `credits` (others are kept)."""

    async def add(self, credit: Credit) -> None:
        """Insert one credit (a contract's); ConflictError when it is already recorded."""

    async def for_listings(self, listing_ids: Sequence[str]) -> list[Credit]:
        """Every credit of these listings, by role then name."""

    async def keep_announced(
        self, listing_id: str, contract_iri: str, document: str, now: float, via: str | None = None
    ) -> bool:
        """Keep the signed credit (JSON) announced about a listing we hold (our own, or a
        copy a hub relays the credit of, `via` the actor it came from) and a contract; the
        first one kept stays (a repeat changes nothing): True when it was new. False also when
        the listing is gone meanwhile (nothing is kept for it)."""

    async def kept_credits(
        self, org_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, str, str | None]]:
        """(listing id, contract IRI, signed credit JSON, via) of the credits announced about
        listings still listed: those of organisation `org_id`, or (None) every one kept,
        our own and the copies' a hub relayed, in key order after `after`, at most `limit`."""

    async def start_replay(self, scope: str, follower: str, now: float, cooldown: float) -> bool:
        """Record that `scope` (an organisation's id, or "catalog") starts replaying the kept
        credits to `follower` now, unless it started one less than `cooldown` seconds ago:
        True when this replay may go ahead."""


class CommissionRequestRepository(Protocol):
    async def add(self, request: Request, requester_name: str) -> None:
        """Insert a new request (with the requester's name at the time, for contracts and OCDS)."""

    async def update(self, request: Request) -> None:
        """Store the request's state and times after a transition."""

    async def get(self, request_id: str, *, for_update: bool = False) -> Request | None:
        """The request, or None; `for_update` locks it until the transaction ends (PostgreSQL)."""

    async def name_of(self, request_id: str) -> str:
        """The requester's name as recorded with the request."""

    async def visible(
        self,
        actor: str | None,
        limit: int,
        after: str | None = None,
        state: str | None = None,
        *,
        kind: str | None = None,
        directed: bool | None = None,
    ) -> list[Request]:
        """Requests `actor` may see (its own, public published ones, directed ones naming it),
        newest first, keyset-paged by id; `state`, `kind` and `directed` filter in the query,
        so a page holds `limit` matching requests whenever that many exist."""


class BidRepository(Protocol):
    async def add(self, bid: Bid, bidder_name: str, iri: str) -> None:
        """Insert a bid; ConflictError when the bid's IRI is already known."""

    async def get(self, bid_id: str) -> Bid | None:
        """The bid with this local id, or None."""

    async def iri_of(self, bid_id: str) -> str | None:
        """The bid object's IRI (the same on every node), or None."""

    async def iris_for_request(self, request_id: str) -> dict[str, str]:
        """Bid id → bid IRI for every bid on the request, in one query."""

    async def for_request(self, request_id: str) -> list[Bid]:
        """Every bid on the request, in the order they arrived."""

    async def names(self, request_id: str) -> dict[str, str]:
        """Bidder IRI → bidder name for the request's bids."""

    async def set_status(self, bids: Sequence[Bid]) -> None:
        """Store each bid's status (after the award)."""

    async def set_mark(self, bid_id: str, mark: int) -> None:
        """The requester's 0–10 mark for the bid's approach."""

    async def marks(self, request_id: str) -> dict[str, int]:
        """Bid id → the requester's approach mark, for bids that have one."""


class ContractRepository(Protocol):
    async def add(self, local_id: str, contract: Contract, request_id: str) -> None:
        """Insert a contract under a local id (its document names it by IRI)."""

    async def save(self, contract: Contract) -> None:
        """Store the contract's state, milestones and any new signatures."""

    async def get(self, local_id: str, *, for_update: bool = False) -> tuple[Contract, str] | None:
        """(the contract, its request's local id), or None."""

    async def for_request(self, request_id: str) -> tuple[str, Contract] | None:
        """(local id, contract) of the contract the request's award produced, or None."""

    async def for_party(
        self, party: str, limit: int, after: str | None = None
    ) -> list[tuple[str, Contract]]:
        """(local id, contract) the actor is buyer or supplier of, newest first, keyset-paged."""

    async def completed_for_listing(self, listing: str) -> list[Contract]:
        """Completed contracts about one listing (for its credits)."""


class LedgerRepository(Protocol):
    async def add(self, payment: Payment, postings: Sequence[tuple[str, int, str]]) -> bool:
        """Book a payment and its (account, amount, kind) postings; False (nothing written)
        when the contract already has a payment with that reference."""

    async def for_contract(self, contract_id: str) -> list[Payment]:
        """The contract's payments, in no particular order (the ledger sorts them)."""


class CommissionLinkRepository(Protocol):
    async def link(self, iri: str, kind: str, local_id: str, now: float) -> bool:
        """Link another node's IRI (request, offer, bid, contract) to a local row; False when
        the IRI is linked already."""

    async def local_id(self, iri: str, kind: str) -> str | None:
        """The local row an IRI of this kind stands for, or None."""

    async def iri_of(self, local_id: str, kind: str) -> str | None:
        """The IRI linked to a local row of this kind, or None."""

    async def iris_of(self, local_ids: Sequence[str], kind: str) -> dict[str, str]:
        """`iri_of` for many rows in one query: local id → IRI, for those linked."""

    async def add_refusal(self, bid_iri: str, summary: str, content: str, now: float) -> None:
        """Keep the reason the requester's node refused one of our bids (once)."""

    async def refusal(self, bid_iri: str) -> tuple[str, str] | None:
        """(summary, content) of the refusal of our bid, or None."""


class ReportRepository(Protocol):
    """Experience reports, their comments (replies) and helpful marks (Likes)."""

    async def add(self, report: ExperienceReport) -> None:
        """Insert; ConflictError when the origin IRI is already held."""

    async def update(self, report: ExperienceReport) -> None:
        """Replace text, facts, state, times and origin of a stored report."""

    async def get_by_id(self, report_id: str) -> ExperienceReport | None:
        """The report with this id (any state), or None."""

    async def get_by_origin(self, origin_iri: str) -> ExperienceReport | None:
        """The remote report whose Article IRI is `origin_iri`, or None."""

    async def delete(self, report_id: str) -> bool:
        """Remove a report with its comments and helpful marks (remote ones, on Delete)."""

    async def for_listings(
        self, listing_ids: Sequence[str], limit: int, before: str | None = None
    ) -> list[ExperienceReport]:
        """Published reports about these listings, newest first, keyset-paged by id."""

    async def save_comment(self, comment: Comment) -> None:
        """Insert or replace a comment by its IRI."""

    async def get_comment(self, iri: str) -> Comment | None:
        """The comment with this IRI, or None."""

    async def delete_comment(self, iri: str) -> bool:
        """Remove a comment; False when there was none."""

    async def comments(self, report_id: str, limit: int) -> list[Comment]:
        """A report's comments, oldest first."""

    async def add_helpful(
        self, report_id: str, actor_iri: str, activity_iri: str, now: float
    ) -> bool:
        """Mark the report helpful for `actor_iri`; False when it already was (one per actor)."""

    async def remove_helpful(self, report_id: str, actor_iri: str) -> str | None:
        """Take an actor's mark back; the Like's IRI, or None when there was none."""

    async def helpful_by_activity(self, activity_iri: str) -> tuple[str, str] | None:
        """(report id, actor IRI) of the mark a Like activity made, or None."""

    async def helpful_counts(self, report_ids: Sequence[str]) -> dict[str, int]:
        """How many actors found each report helpful (absent: none)."""


class FlagRepository(Protocol):
    """The operator's moderation queue."""

    async def add(self, flag: Flag) -> None:
        """Insert a flag."""

    async def get(self, flag_id: str) -> Flag | None:
        """The flag with this id, or None."""

    async def get_by_activity(self, activity_iri: str) -> Flag | None:
        """The flag a Flag activity raised, or None (a replayed Flag is queued once)."""

    async def update(self, flag: Flag) -> None:
        """Store the operator's decision."""

    async def list(
        self, state: FlagState | None, limit: int, before: str | None = None
    ) -> list[Flag]:
        """Flags, newest first, keyset-paged by id; all states when `state` is None."""


class PrivacyRepository(Protocol):
    """Privacy rubric answers per tool (repository key), keyed by the answering actor's IRI."""

    async def answers(self, key: str) -> list[RubricAnswer]:
        """Every stored answer for the tool, by criterion then actor."""

    async def save_answers(self, key: str, answers: Sequence[RubricAnswer], now: float) -> None:
        """Insert each answer, replacing that actor's earlier answer to the same criterion."""

    async def delete_answers(
        self, key: str, answered_by: str, criteria: Sequence[str] | None = None
    ) -> int:
        """Remove the actor's answers for the tool (only `criteria` when given); how many."""

    async def grade_letter(self, key: str) -> str | None:
        """The tool's stored letter, or None when it is not graded."""

    async def save_grade(self, key: str, letter: str | None, score: float, now: float) -> None:
        """Store the tool's grade (None: not graded) where search filters and counts it."""


class ReputationRepository(Protocol):
    async def sources(self) -> ReputationSources:
        """Every row reputation reads: organisations, actors, listings, ratings, follows."""

    async def helpful_marks(self) -> list[HelpfulSource]:
        """Every Like of an experience report we hold, with the report's author."""

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
    deployments: ListingRecordRepository[DeploymentTerms]
    support_offers: ListingRecordRepository[OfferTerms]
    credits: CreditRepository
    commission_requests: CommissionRequestRepository
    bids: BidRepository
    contracts: ContractRepository
    ledger: LedgerRepository
    commission_links: CommissionLinkRepository
    reports: ReportRepository
    flags: FlagRepository
    privacy: PrivacyRepository
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
