"""Reputation of tools and organisations: recomputed by a job, read by the API and pages.

`ReputationService` keeps one `ReputationEngine` in the process between recomputations. Each
refresh reads the inputs from the database, hands the engine only what changed since the last
refresh (ratings, follows, maintainers, seeds, helpful marks) and recomputes from the previous
trust vector (warm start); the `reputation.recompute` job then writes the scores that moved.
A subject with no stored score yet (before the first job, or just created) is computed on
demand from the same engine, refreshed at most once per `max_age` seconds so unknown IRIs
cannot make every request re-read the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from commonsnode.clock import Clock
from commonsnode.config import NodeConfig
from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.jobs import Job
from commonsnode.model.reputation import (
    FollowEdge,
    HelpfulMark,
    ReputationConfig,
    ReputationEngine,
    ReputationInputs,
    Subject,
)
from commonsnode.model.reputation_sources import (
    Naming,
    StoredScore,
    engine_inputs,
    helpful_marks,
    nodes_of,
    seeds,
)
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.reputation_events import (
    REPUTATION_JOB,
    RETRY_SECONDS,
    daily_job,
    recompute_job,
)
from commonsnode.worker import HandlerRegistry, RetryPolicy

log = logging.getLogger("commonsnode.reputation")
SCORE_EPSILON = 1e-9
ON_DEMAND_MAX_AGE = 10.0  # seconds an on-demand engine refresh is reused


@dataclass(frozen=True, slots=True)
class ReputationSettings:
    """The operator's choices: who is trusted, and whether the node's own organisations are."""

    origin: str
    trusted: tuple[str, ...] = ()
    own_organisations: bool = True
    max_age: float = ON_DEMAND_MAX_AGE

    @classmethod
    def of(cls, config: NodeConfig) -> ReputationSettings:
        """The settings from the node configuration's [reputation] section."""
        section = config.reputation
        return cls(config.origin, section.trusted, section.own_organisations)


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What one recomputation did, for the log line and tests."""

    full: bool
    written: int
    removed: int


class ReputationService:
    """One node's reputation engine, kept warm between recomputations (one refresh at a time)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        settings: ReputationSettings,
        config: ReputationConfig | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.settings = settings
        self.naming = Naming(settings.origin.rstrip("/"))
        self._config = config or ReputationConfig()
        self._engine: ReputationEngine | None = None
        self._inputs: ReputationInputs | None = None
        self._refreshed_at: float | None = None
        self._touched: set[str] = set()
        self._lock = asyncio.Lock()

    def tool_iri(self, repository_key: str) -> str:
        return self.naming.tool(repository_key)

    async def _read(self) -> ReputationInputs:
        async with self._uow(readonly=True) as tx:
            sources = await tx.reputation.sources()
            helpful = helpful_marks(await tx.reputation.helpful_marks(), self.naming)
            policy = await tx.moderation.policy()
        now = self._clock.now()
        seed_iris = seeds(
            sources, self.naming, self.settings.trusted, self.settings.own_organisations
        )
        local = self.naming.origin + "/"

        def permits(iri: str) -> bool:
            """The domain policy; this node's own actors are always permitted."""
            return iri.startswith(local) or policy.permits(urlsplit(iri).hostname or "")

        inputs = engine_inputs(
            sources, self.naming, seed_iris=seed_iris, helpful=helpful, now=now, permits=permits
        )
        unseen = sorted(nodes_of(inputs) - set(inputs.node_first_seen))
        if unseen:  # first met now, by this node's clock: the per-node cap starts small
            async with self._uow() as tx:
                await tx.reputation.note_nodes(unseen, now)
            first_seen = {**inputs.node_first_seen, **dict.fromkeys(unseen, now)}
            inputs = replace(inputs, node_first_seen=first_seen, now=now)
        return inputs

    async def refresh(self, *, max_age: float | None = None) -> tuple[ReputationEngine, bool]:
        """The engine brought up to date with the database; True when built from scratch.

        With `max_age`, an engine refreshed that recently is returned as it is.
        """
        async with self._lock:
            now = self._clock.now()
            if (
                max_age is not None
                and self._engine is not None
                and self._refreshed_at is not None
                and 0 <= now - self._refreshed_at <= max_age
            ):
                return self._engine, False
            inputs = await self._read()
            engine, old = self._engine, self._inputs
            full = engine is None or old is None or _needs_rebuild(old, inputs)
            if engine is None or old is None or full:
                engine, _ = ReputationEngine.build(inputs, self._config)
                self._touched = set(engine.subjects)
            else:
                self._touched |= _apply(engine, old, inputs)
                engine.recompute(warm=True)
            self._engine, self._inputs, self._refreshed_at = engine, inputs, now
            return engine, full

    async def recompute(self) -> RecomputeReport:
        """Refresh the engine and write every score that changed (the job's work)."""
        engine, full = await self.refresh()
        async with self._lock:
            touched, self._touched = self._touched, set()
            scores = engine.scores()
            now = self._clock.now()
            async with self._uow() as tx:
                stored = await tx.reputation.stored_subjects()
                changed = [
                    iri
                    for iri, value in scores.items()
                    if iri in touched
                    or iri not in stored
                    or abs(stored[iri] - value) > SCORE_EPSILON
                ]
                removed = [iri for iri in stored if iri not in scores]
                rows = []
                for iri in changed:
                    score = engine.score(iri)
                    rows.append(StoredScore(iri, score.kind, score.score, score.document(), now))
                await tx.reputation.store(rows, removed)
        report = RecomputeReport(full, len(rows), len(removed))
        log.info(
            "reputation recomputed",
            extra={"full": full, "written": len(rows), "removed": len(removed)},
        )
        return report

    async def document(self, iri: str) -> Mapping[str, Any]:
        """GET /api/v1/reputation's document: the stored score, or one computed now.

        NotFoundError when nothing is known of `iri`: not a subject, never a giver, no inputs.
        """
        async with self._uow(readonly=True) as tx:
            stored = await tx.reputation.stored(iri)
        if stored is not None:
            return stored.document
        engine, _ = await self.refresh(max_age=self.settings.max_age)
        if iri not in engine.subjects and iri not in engine.graph.index and await self._exists(iri):
            engine, _ = await self.refresh()  # new since the last refresh: read it now
        score = engine.score(iri)
        if iri not in engine.subjects and iri not in engine.graph.index and len(score.inputs) < 2:
            raise NotFoundError(f"no reputation is known for {iri}")
        return score.document()

    async def _exists(self, iri: str) -> bool:
        """Whether the database knows `iri` as a tool, an organisation or a remote actor."""
        tools, orgs = f"{self.naming.origin}/tools/", f"{self.naming.origin}/orgs/"
        async with self._uow(readonly=True) as tx:
            if iri.startswith(tools):
                listings = await tx.listings.by_repository(unquote(iri.removeprefix(tools)))
                return any(listing.state == "published" for listing in listings)
            if iri.startswith(orgs):
                handle = iri.removeprefix(orgs)
                return await tx.organisations.get_by_handle(handle) is not None
            return await tx.actors.get(iri) is not None

    async def handle_job(self, job: Job) -> None:
        """The `reputation.recompute` job: free the queue's key, recompute, write.

        Finishing the job first lets a change committed during the run queue the next run;
        if this run fails, a retry is queued by hand (the job is gone already).
        """
        async with self._uow() as tx:
            await tx.jobs.finish(job)
        try:
            await self.recompute()
        except Exception:
            async with self._uow() as tx:
                await tx.jobs.enqueue(recompute_job(self._clock.now(), delay=RETRY_SECONDS))
            raise
        if "day" in job.payload:
            async with self._uow() as tx:
                await tx.jobs.enqueue(daily_job(self._clock.now()))


async def schedule_reputation(uow: UnitOfWorkFactory, clock: Clock) -> None:
    """At worker start-up: a recomputation now, and the daily one queued."""
    async with uow() as tx:
        await tx.jobs.enqueue(recompute_job(clock.now()))
        await tx.jobs.enqueue(daily_job(clock.now()))


def _needs_rebuild(old: ReputationInputs, new: ReputationInputs) -> bool:
    """The engine cannot forget a subject or a node's sighting: rebuild when one goes."""
    new_subjects = {s.iri for s in new.subjects}
    if any(s.iri not in new_subjects for s in old.subjects):
        return True
    return any(
        node not in new.node_first_seen or new.node_first_seen[node] > seen
        for node, seen in old.node_first_seen.items()
    )


def _apply(engine: ReputationEngine, old: ReputationInputs, new: ReputationInputs) -> set[str]:
    """Hand the engine the differences between two input sets; the subjects they touch."""
    touched: set[str] = set()
    if set(old.seeds) != set(new.seeds):
        engine.set_seeds(new.seeds)
    engine.set_now(new.now)
    for node, seen in new.node_first_seen.items():
        if old.node_first_seen.get(node) != seen:
            engine.node_seen(node, seen)
    old_subjects: dict[str, Subject] = {s.iri: s for s in old.subjects}
    for subject in new.subjects:
        if old_subjects.get(subject.iri) != subject:
            engine.set_subject(subject)
            touched.add(subject.iri)
            touched.update(subject.maintainers)
            if subject.iri in old_subjects:
                touched.update(old_subjects[subject.iri].maintainers)
    old_follows: set[FollowEdge] = set(old.follows)
    new_follows: set[FollowEdge] = set(new.follows)
    for follow in old_follows - new_follows:
        engine.remove_follow(follow)
    for follow in new_follows - old_follows:
        engine.add_follow(follow)
    old_ratings = {(r.rater, r.subject): r for r in old.ratings}
    new_ratings = {(r.rater, r.subject): r for r in new.ratings}
    rated: set[str] = set()
    for key in old_ratings.keys() - new_ratings.keys():
        engine.remove_rating(*key)
        rated.add(key[1])
    for key, rating in new_ratings.items():
        if old_ratings.get(key) != rating:
            engine.set_rating(rating)
            rated.add(key[1])
    for iri in rated:
        touched.add(iri)
        subject = engine.subjects.get(iri)
        touched.update(subject.maintainers if subject is not None else ())
    old_marks: set[HelpfulMark] = set(old.helpful)
    new_marks: set[HelpfulMark] = set(new.helpful)
    for mark in old_marks - new_marks:
        engine.remove_helpful(mark)
        touched.add(mark.author)
    for mark in new_marks - old_marks:
        engine.add_helpful(mark)
        touched.add(mark.author)
    old_contracts = {c.contract: c for c in old.contracts}
    new_contracts = {c.contract: c for c in new.contracts}
    for iri in old_contracts.keys() - new_contracts.keys():
        engine.remove_contract(iri)
        touched.update((old_contracts[iri].client, old_contracts[iri].supplier))
    for iri, contract in new_contracts.items():
        if old_contracts.get(iri) != contract:
            engine.set_contract(contract)
            touched.update((contract.client, contract.supplier))
    return touched


def register_reputation_jobs(registry: HandlerRegistry, service: ReputationService) -> None:
    """The composition root's one line: the recomputation job and its handler."""
    registry.register(
        REPUTATION_JOB,
        service.handle_job,
        retry=RetryPolicy(max_attempts=8, base_delay=10.0, max_delay=3600.0),
        timeout=600.0,
    )


def subject_of(service: ReputationService, actor: str | None, tool: str | None) -> str:
    """The subject IRI a request names: `actor` (an IRI) or `tool` (a repository key)."""
    if bool(actor) == bool(tool):
        raise InvalidError("give exactly one of actor (an IRI) or tool (a repository key)")
    if actor:
        parts = urlsplit(actor)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(actor) > 2048:
            raise InvalidError("actor: an http(s) IRI", field="actor")
        return actor
    key = (tool or "").strip().strip("/")
    if not key or len(key) > 1024 or any(c.isspace() for c in key) or "://" in key:
        raise InvalidError("tool: a repository key such as github.com/org/repo", field="tool")
    return service.tool_iri(key)
