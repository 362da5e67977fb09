"""Commission IRIs and contract proof checking for this node.

Contract proofs are FEP-8b32 `eddsa-jcs-2022` proofs by a party's Ed25519 key. A proof counts
for a party only when its `verificationMethod` is that party's own Ed25519 key (FEP-fe34: a key
of anybody else proves nothing about the party). Local parties' keys come from the key store;
remote parties' keys come from the cached actor documents (their `assertionMethod` keys), so a
node that is not a party can check both signatures once it has seen the parties' actors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commonsnode.model.contracts import Verifier
from commonsnode.usecases.contracts import Verifiers
from federation.integrity import sign_as
from federation.iris import origin_of
from federation.keys import UnsupportedKeyError, load_public_key
from federation.runtime import Federation
from federation.signatures.proofs import ProofError, verify_proof


@dataclass(frozen=True, slots=True)
class CommissionIris:
    """Requests, bids and contracts this node creates, under its origin."""

    origin: str

    def request(self, request_id: str) -> str:
        return f"{self.origin}/requests/{request_id}"

    def bid(self, request_id: str, bid_id: str) -> str:
        return f"{self.origin}/requests/{request_id}/bids/{bid_id}"

    def contract(self, contract_id: str) -> str:
        return f"{self.origin}/contracts/{contract_id}"


async def _local_key(fed: Federation, party: str) -> tuple[str, str] | None:
    handle = fed.iris.org_handle(party)
    if handle is None:
        return None
    async with fed.uow(readonly=True) as tx:
        org = await tx.organisations.get_by_handle(handle)
    if org is None:
        return None
    _, ed_pair = await fed.org_keys(org.id)
    return fed.iris.org_ed25519_key(handle), ed_pair.public_pem


async def contract_verifier(
    fed: Federation, parties: Sequence[str], methods: Sequence[str] = ()
) -> Verifier:
    """A Verifier for these parties: local keys from the store, remote ones from the actor
    cache by `methods` (the proofs' verificationMethod ids, when known)."""
    keys: dict[str, dict[str, str]] = {}
    for party in parties:
        if fed.iris.is_local(party):
            local = await _local_key(fed, party)
            if local is not None:
                keys.setdefault(party, {})[local[0]] = local[1]
    remote_methods = [m for m in methods if not fed.iris.is_local(m)]
    if remote_methods:
        async with fed.uow(readonly=True) as tx:
            for method in remote_methods:
                key = await tx.actors.get_key(method)
                if key is not None and key.actor_iri in parties and key.type == "ed25519":
                    keys.setdefault(key.actor_iri, {})[method] = key.public_pem

    def verify(signed: Mapping[str, Any], party: str) -> bool:
        proof = signed.get("proof")
        if not isinstance(proof, Mapping):
            return False
        method = proof.get("verificationMethod")
        if not isinstance(method, str) or origin_of(method) != origin_of(party):
            return False
        pem = keys.get(party, {}).get(method)
        if pem is None:
            return False
        try:
            verify_proof(signed, load_public_key(pem), now=fed.clock.now())
        except (ProofError, UnsupportedKeyError):
            return False
        return True

    return verify


def contract_verifiers(fed: Federation) -> Verifiers:
    """The use-cases' Verifiers: one contract_verifier per contract, for the web and the inbox."""

    async def build(parties: Sequence[str], methods: Sequence[str]) -> Verifier:
        return await contract_verifier(fed, parties, methods)

    return build


async def sign_contract_document(
    fed: Federation, org_id: str, handle: str, document: dict[str, Any]
) -> dict[str, Any]:
    """The organisation's proof over a contract document (the private key stays here)."""
    return dict((await sign_as(fed, org_id, handle, document))["proof"])
