"""The federation runtime: one object holding what every federation step needs."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from commonsnode.clock import Clock
from commonsnode.errors import NotFoundError
from commonsnode.group_commit import GroupCommitter
from commonsnode.keys import KeyPair
from commonsnode.model.moderation import DomainPolicy
from commonsnode.ports import InboxEntry, InboxIngest, UnitOfWorkFactory
from commonsnode.usecases.organisations import INSTANCE_OWNER, org_key_owner
from federation.fetch import Fetcher
from federation.iris import LocalIris
from federation.keycache import KeyCache
from federation.keys import PrivateKey, load_private_key
from federation.signatures import SignedRequest, cavage, rfc9421

Scheme = Literal["cavage", "rfc9421"]
POLICY_TTL = 5.0  # seconds a domain policy snapshot is reused before re-reading it
ORG_CACHE_SECONDS = 30.0  # a new organisation's inbox may answer 404 for this long elsewhere
ORG_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class FederationSettings:
    """Knobs from the node configuration that federation code reads."""

    node_name: str
    authorized_fetch: bool = False
    plain_http: bool = False  # WebFinger over http: only with --allow-private-network
    actor_refresh_seconds: float = 24 * 3600.0
    key_failure_seconds: float = 300.0


@dataclass(slots=True)
class Federation:
    """Dependencies of the federation layer, built once by the composition root."""

    iris: LocalIris
    uow: UnitOfWorkFactory
    clock: Clock
    fetcher: Fetcher
    settings: FederationSettings
    ingest: InboxIngest
    keys: KeyCache = field(default_factory=KeyCache)
    _committer: GroupCommitter[InboxEntry, bool] | None = None
    _orgs: dict[str, tuple[bool, float]] = field(default_factory=dict)
    _org_keys: dict[str, tuple[KeyPair, KeyPair]] = field(default_factory=dict)
    _instance_keys: tuple[KeyPair, KeyPair] | None = None
    # The catalog's key pairs once read (federation/catalog.py catalog_keys): they do not
    # change under a running process, and GET /catalog and every delivery want them.
    catalog_key_pairs: tuple[KeyPair, KeyPair] | None = None
    _policy: DomainPolicy | None = None
    _policy_at: float = field(default=-1e18)
    # One refresh at a time: when a cached entry expires under load, the requests in flight
    # wait for one database read instead of each making its own (a burst of 64 reads every
    # few seconds was the tail of the inbox's p99 on PostgreSQL). The policy has its lock;
    # organisations are read once per handle, so a miss for one never queues behind another.
    _policy_refresh: asyncio.Lock = field(default_factory=asyncio.Lock)
    _org_reads: dict[str, asyncio.Future[bool]] = field(default_factory=dict)

    async def start(self) -> None:
        """Load the instance actor's keys once, so signing GETs never touches the database."""
        async with self.uow(readonly=True) as tx:
            rsa_pair = await tx.keys.get(INSTANCE_OWNER, "rsa")
            ed_pair = await tx.keys.get(INSTANCE_OWNER, "ed25519")
        if rsa_pair is None or ed_pair is None:
            raise RuntimeError("the instance actor has no keys: was the node initialised?")
        self._instance_keys = (rsa_pair, ed_pair)
        load_private_key(rsa_pair.private_pem)

    @property
    def instance_keys(self) -> tuple[KeyPair, KeyPair]:
        if self._instance_keys is None:
            raise RuntimeError("Federation.start() was not awaited")
        return self._instance_keys

    def sign_get(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, str]:
        """The Fetcher's signer: the instance actor signs every GET (FEP-2677)."""
        request = SignedRequest.build(method, url, headers, body)
        added = cavage.sign_request(
            request,
            key_id=self.iris.instance_key(),
            private_key=load_private_key(self.instance_keys[0].private_pem),
            now=self.clock.now(),
        )
        return dict(added)

    async def org_keys(self, org_id: str) -> tuple[KeyPair, KeyPair]:
        """An organisation's key pairs (private halves stay in this process), kept in memory:
        every delivery signs with them and keys do not change under a running process."""
        cached = self._org_keys.get(org_id)
        if cached is not None:
            return cached
        async with self.uow(readonly=True) as tx:
            rsa_pair = await tx.keys.get(org_key_owner(org_id), "rsa")
            ed_pair = await tx.keys.get(org_key_owner(org_id), "ed25519")
        if rsa_pair is None or ed_pair is None:
            raise NotFoundError(f"organisation {org_id} has no keys")
        if len(self._org_keys) > ORG_CACHE_SIZE:
            self._org_keys.clear()
        self._org_keys[org_id] = (rsa_pair, ed_pair)
        return rsa_pair, ed_pair

    async def policy(self) -> DomainPolicy:
        """The operator's domain rules, re-read at most every few seconds (cheap to consult)."""
        policy = self._policy
        if policy is not None and self.clock.now() - self._policy_at <= POLICY_TTL:
            return policy
        async with self._policy_refresh:
            now = self.clock.now()
            policy = self._policy  # another request may have just read it
            if policy is None or now - self._policy_at > POLICY_TTL:
                async with self.uow(readonly=True) as tx:
                    policy = await tx.moderation.policy()
                self._policy, self._policy_at = policy, now
        return policy

    def forget_policy(self) -> None:
        """Drop the cached policy after the operator changed it in this process."""
        self._policy = None

    async def has_org(self, handle: str) -> bool:
        """Whether a local organisation exists, from a short-lived memory (hot inbox path)."""
        known = self._orgs.get(handle)
        if known is not None and self.clock.now() - known[1] < ORG_CACHE_SECONDS:
            return known[0]
        pending = self._org_reads.get(handle)
        if pending is not None:  # another request is reading this handle: share its answer
            return await asyncio.shield(pending)
        reading: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._org_reads[handle] = reading
        try:
            now = self.clock.now()
            async with self.uow(readonly=True) as tx:
                exists = await tx.organisations.get_by_handle(handle) is not None
            if len(self._orgs) > ORG_CACHE_SIZE:
                self._orgs.clear()
            self._orgs[handle] = (exists, now)
            reading.set_result(exists)
        except BaseException as exc:
            failure = exc if isinstance(exc, Exception) else RuntimeError(f"{handle}: read cut")
            reading.set_exception(failure)
            reading.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            del self._org_reads[handle]
        return exists

    async def log_incoming(self, entry: InboxEntry) -> bool:
        """Log and enqueue one inbox entry through group commit; False for a replay."""
        if self._committer is None:
            self._committer = GroupCommitter(self.ingest.record_batch)
        return await self._committer.submit(entry)

    async def close(self) -> None:
        """Stop background work and close pooled connections."""
        if self._committer is not None:
            await self._committer.close()
        await self.ingest.close()
        await self.fetcher.close()


def sign_post(
    url: str,
    body: bytes,
    *,
    key_id: str,
    private_pem: str,
    scheme: Scheme,
    now: float,
    content_type: str = "application/activity+json",
) -> dict[str, str]:
    """Complete headers for a signed POST: cavage (Digest) or RFC 9421 (Content-Digest)."""
    base = {
        "Content-Type": content_type,
        "Date": email.utils.formatdate(now, usegmt=True),
        "Accept": "application/activity+json",
    }
    request = SignedRequest.build("POST", url, base, body)
    private_key: PrivateKey = load_private_key(private_pem)
    if scheme == "cavage":
        added = cavage.sign_request(request, key_id=key_id, private_key=private_key, now=now)
    else:
        added = rfc9421.sign_request(request, key_id=key_id, private_key=private_key, now=now)
    return {**base, **dict(added)}
