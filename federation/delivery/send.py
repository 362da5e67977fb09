"""One delivery: sign, POST, classify the answer, update the host's record, retry or give up."""

from __future__ import annotations

import asyncio
import logging
import random
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from commonsnode.jobs import Job
from commonsnode.ports import UnitOfWork
from commonsnode.worker import PermanentJobError, RetryJobError
from federation.delivery import hosts
from federation.delivery.classify import classify
from federation.delivery.retry import BackoffPolicy, next_delay, parse_retry_after
from federation.fetch import FetchError, PostResult
from federation.iris import host_of
from federation.runtime import Federation, Scheme, sign_post

log = logging.getLogger("commonsnode.delivery")
PER_HOST_CONCURRENCY = 4
# A job held by an open circuit is re-queued as an attempt too: the real limit is the
# policy's three days since the first try, not its attempt count.
DELIVERY_BACKOFF = BackoffPolicy(max_attempts=500)
# A host's clean record read by this process is trusted this long: another process's
# failures to it are seen within these seconds.
HEALTHY_CACHE_SECONDS = 10.0
MEMORY_ENTRIES = 4096


Transition = Callable[[hosts.HostState], hosts.HostState]


def _other(scheme: Scheme) -> Scheme:
    return "rfc9421" if scheme == "cavage" else "cavage"


class Sender:
    """Delivers `delivery.send` jobs; at most a few requests per host at once in this process."""

    def __init__(self, fed: Federation, *, rng: random.Random | None = None) -> None:
        self.fed = fed
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        # Weak values: a host's semaphore lives only while deliveries to it are in flight, so
        # thousands of distinct hosts leave nothing behind in memory.
        self._slots: weakref.WeakValueDictionary[str, asyncio.Semaphore] = (
            weakref.WeakValueDictionary()
        )
        self._documents: dict[str, tuple[bytes, str]] = {}
        self._healthy: dict[str, tuple[hosts.HostState, float]] = {}

    def _state(self, host: str, stored: Mapping[str, Any] | None) -> hosts.HostState:
        now = self.fed.clock.now()
        if stored is None:
            return hosts.new_state(host, now)
        try:
            state = hosts.from_record(stored)
        except ValueError:
            log.warning("delivery: malformed record for %s replaced", host)
            return hosts.new_state(host, now)
        return hosts.new_state(host, now) if hosts.is_expired(state, now) else state

    async def _load(self, job: Job) -> tuple[bytes, str, str, hosts.HostState]:
        """What one delivery needs. A fan-out sends one activity to many inboxes, so the
        activity, its signer and healthy hosts' records come from memory after the first."""
        fed = self.fed
        payload = job.payload
        host = host_of(payload["inbox"])
        now = fed.clock.now()
        cached = self._documents.get(payload["activity"])
        healthy = self._healthy.get(host)
        state = healthy[0] if healthy and now - healthy[1] < HEALTHY_CACHE_SECONDS else None
        if cached is None or state is None:
            async with fed.uow(readonly=True) as tx:
                if cached is None:
                    cached = await self._document(tx, payload)
                    _remember(self._documents, payload["activity"], cached)
                if state is None:
                    state = self._state(host, await tx.hosts.get(host))
                    if _clean(state):
                        _remember(self._healthy, host, (state, now))
        body, key_id = cached
        return body, key_id, await self._private_pem(payload), state

    async def _document(self, tx: UnitOfWork, payload: Mapping[str, Any]) -> tuple[bytes, str]:
        """The activity's bytes and the id of the key that signs it (an organisation's)."""
        found = await tx.activities.get(payload["activity"])
        org = await tx.organisations.get_by_id(payload["org"])
        if found is None or org is None:
            raise PermanentJobError("the activity or its organisation is gone")
        return found[1].encode("utf-8"), self.fed.iris.org_key(org.handle)

    async def _private_pem(self, payload: Mapping[str, Any]) -> str:
        """The signing key (kept in memory by the runtime)."""
        rsa_pair, _ = await self.fed.org_keys(payload["org"])
        return rsa_pair.private_pem

    async def _post(
        self, inbox: str, body: bytes, key_id: str, pem: str, scheme: Scheme
    ) -> PostResult:
        def headers(url: str) -> dict[str, str]:
            return sign_post(
                url, body, key_id=key_id, private_pem=pem, scheme=scheme, now=self.fed.clock.now()
            )

        host = host_of(inbox)
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(PER_HOST_CONCURRENCY)
        async with slot:
            return await self.fed.fetcher.post(inbox, body, headers)

    async def _update(self, host: str, change: Transition) -> hosts.HostState:
        """Apply a transition to the host's *current* record in one write transaction.

        Deliveries to one host run concurrently: each must build on the record as stored now,
        not as it was loaded before its POST, or failures are lost (the circuit never opens)
        and several deliveries claim the one probe.
        """
        async with self.fed.uow() as tx:
            state = change(self._state(host, await tx.hosts.get(host, for_update=True)))
            await tx.hosts.put(host, hosts.to_record(state), state.expires_at)
        return state

    async def _admit(self, state: hosts.HostState) -> hosts.Decision:
        """Whether this delivery goes out; a probe is claimed atomically, by one delivery only."""
        now = self.fed.clock.now()
        decision = hosts.may_send(state, now)
        if decision != "probe":
            return decision
        decided: list[hosts.Decision] = []

        def claim(current: hosts.HostState) -> hosts.HostState:
            decided.append(hosts.may_send(current, now))
            return hosts.start_probe(current, now) if decided[-1] == "probe" else current

        state = await self._update(state.host, claim)
        if decided[-1] == "hold":  # another delivery took the probe first
            raise RetryJobError(
                f"{state.host}: probe in flight", delay=hosts.hold_delay(state, now)
            )
        return decided[-1]

    async def deliver(self, job: Job) -> None:
        """The `delivery.send` job handler."""
        fed = self.fed
        inbox = job.payload["inbox"]
        if not (await fed.policy()).permits(host_of(inbox)):
            raise PermanentJobError(f"{host_of(inbox)} is blocked")
        body, key_id, pem, state = await self._load(job)
        now = fed.clock.now()
        # One delivery probes a failing host; the others keep waiting.
        decision = await self._admit(state)
        if decision == "unavailable":
            raise PermanentJobError(f"{state.host} unavailable (failing for over 7 days)")
        if decision == "hold":
            raise RetryJobError(f"{state.host}: circuit open", delay=hosts.hold_delay(state, now))
        scheme: Scheme = "rfc9421" if state.scheme == "rfc9421" else "cavage"
        try:
            result = await self._post(inbox, body, key_id, pem, scheme)
            outcome = classify(result.status)
            if outcome == "resign":  # double-knock: the other scheme, once
                scheme = _other(scheme)
                result = await self._post(inbox, body, key_id, pem, scheme)
                outcome = classify(result.status, resigned=True)
        except FetchError as exc:
            if exc.reason in {"blocked_address", "scheme_refused", "invalid_url"}:
                raise PermanentJobError(f"{inbox}: {exc.reason}") from exc
            await self._failed(job, state, f"{exc.reason}: {exc.detail}", None)
            return
        now = fed.clock.now()
        if outcome == "delivered":
            if _clean(state) and (scheme == "cavage" or state.scheme == scheme):
                return  # nothing to remember about a healthy host: no write on the hot path
            accepted = scheme
            self._healthy.pop(state.host, None)
            await self._update(
                state.host, lambda current: hosts.on_success(current, now, scheme=accepted)
            )
            return
        if outcome == "gone":
            await self._prune(inbox)
            raise PermanentJobError(f"{inbox} answered {result.status}: follower pruned")
        if outcome == "refused":
            raise PermanentJobError(f"{inbox} answered {result.status}: {result.body[:500]}")
        await self._failed(job, state, f"HTTP {result.status}", result.retry_after)

    async def _failed(
        self, job: Job, state: hosts.HostState, error: str, retry_after: str | None
    ) -> None:
        now = self.fed.clock.now()
        self._healthy.pop(state.host, None)
        await self._update(state.host, lambda current: hosts.on_failure(current, now))
        wait = parse_retry_after(retry_after, now) if retry_after else None
        delay = next_delay(
            job.attempts, now - job.created_at, wait, self._rng, policy=DELIVERY_BACKOFF
        )
        if delay is None:
            raise PermanentJobError(f"gave up after {job.attempts} attempts: {error}")
        raise RetryJobError(error, delay=delay)

    async def _prune(self, inbox: str) -> None:
        """404/410 from an inbox: the actors behind it are gone; stop following them."""
        async with self.fed.uow() as tx:
            for actor in await tx.actors.with_inbox(inbox):
                await tx.actors.mark_gone(actor, self.fed.clock.now())
                await tx.follows.delete_remote(actor)


def _clean(state: hosts.HostState) -> bool:
    """A host with nothing wrong on record: no failures, no open circuit, no probe."""
    return (
        not state.failures
        and state.circuit_open_until is None
        and state.probe_started_at is None
        and state.failing_since is None
        and state.unavailable_since is None
    )


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= MEMORY_ENTRIES:
        cache.clear()
    cache[key] = value
