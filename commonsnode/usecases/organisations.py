"""Use-cases for organisations and their API tokens: one transaction each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from commonsnode.clock import Clock
from commonsnode.errors import NotFoundError
from commonsnode.ids import new_id
from commonsnode.keys import KeyPair, generate_actor_keys
from commonsnode.model.organisations import (
    Organisation,
    check_handle,
    check_kind,
    check_name,
    check_summary,
)
from commonsnode.ports import UnitOfWorkFactory

INSTANCE_OWNER = "instance"
TOKEN_PREFIX = "cn_"  # noqa: S105 - a public prefix that makes leaked tokens greppable


def org_key_owner(org_id: str) -> str:
    """The key-store owner name of an organisation."""
    return f"org:{org_id}"


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak working credentials."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def ensure_instance_keys(uow: UnitOfWorkFactory) -> None:
    """Give the instance actor its key pairs once; idempotent."""
    async with uow() as tx:
        if await tx.keys.get(INSTANCE_OWNER, "rsa") is None:
            for pair in generate_actor_keys():
                await tx.keys.add(INSTANCE_OWNER, pair)


async def create_organisation(
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    handle: str,
    name: str,
    kind: str,
    summary: str = "",
    keys: tuple[KeyPair, KeyPair] | None = None,
) -> Organisation:
    """Create a local organisation with its key pairs; ConflictError when the handle is taken."""
    now = clock.now()
    org = Organisation(
        id=new_id(now),
        handle=check_handle(handle),
        name=check_name(name),
        kind=check_kind(kind),
        summary=check_summary(summary),
        manually_approves_followers=False,
        created_at=now,
    )
    pairs = keys or generate_actor_keys()  # outside the transaction: RSA generation is slow
    async with uow() as tx:
        await tx.organisations.add(org)
        for pair in pairs:
            await tx.keys.add(org_key_owner(org.id), pair)
    return org


async def create_token(
    uow: UnitOfWorkFactory, clock: Clock, *, handle: str, operator: bool = False
) -> str:
    """Issue a bearer token acting for the organisation; only its hash is kept.

    An operator token may also moderate the node (domain blocks, federation mode).
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with uow() as tx:
        org = await tx.organisations.get_by_handle(handle)
        if org is None:
            raise NotFoundError(f"no organisation with handle {handle!r}")
        await tx.tokens.add(
            new_id(clock.now()), org.id, hash_token(token), clock.now(), operator=operator
        )
    return token


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a bearer token speaks for, and whether it may moderate the node."""

    org: Organisation
    operator: bool


async def holder_of_token(uow: UnitOfWorkFactory, token: str) -> TokenHolder | None:
    """The organisation (and rights) a bearer token acts for, or None."""
    async with uow(readonly=True) as tx:
        found = await tx.tokens.get(hash_token(token))
        if found is None:
            return None
        org = await tx.organisations.get_by_id(found[0])
        return None if org is None else TokenHolder(org, found[1])


async def update_profile(
    uow: UnitOfWorkFactory,
    org: Organisation,
    *,
    name: str | None = None,
    summary: str | None = None,
    manually_approves_followers: bool | None = None,
) -> Organisation:
    """Change an organisation's own profile fields; unchanged fields keep their value."""
    async with uow() as tx:
        current = await tx.organisations.get_by_id(org.id)
        if current is None:
            raise NotFoundError("organisation no longer exists")
        updated = Organisation(
            id=current.id,
            handle=current.handle,
            name=current.name if name is None else check_name(name),
            kind=current.kind,
            summary=current.summary if summary is None else check_summary(summary),
            manually_approves_followers=(
                current.manually_approves_followers
                if manually_approves_followers is None
                else manually_approves_followers
            ),
            created_at=current.created_at,
        )
        await tx.organisations.update(updated)
    return updated


async def org_map(uow: UnitOfWorkFactory) -> dict[str, Organisation]:
    """Every organisation by id, read once per request so pages and bodies can name them."""
    async with uow(readonly=True) as tx:
        return {org.id: org for org in await tx.organisations.list_all()}
