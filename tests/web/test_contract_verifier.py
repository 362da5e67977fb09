"""Contract proofs count only when made with the party's own Ed25519 key: local parties from the
key store, remote parties from the cached actor documents (what a non-party node will use)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from commonsnode.keys import generate_ed25519
from commonsnode.model.actors import RemoteActor, RemoteKey
from commonsnode.usecases.organisations import create_organisation
from federation.commissions import contract_verifier, sign_contract_document
from federation.keys import load_private_key
from federation.signatures.proofs import create_proof
from tests.keys import TEST_KEYS
from web.app import Node

DEV = "https://dev.example/orgs/dev"
DEV_KEY = f"{DEV}#ed25519-key"
DOCUMENT: dict[str, Any] = {"type": "CommissionContract", "version": 1, "id": "c1"}


def remote_actor() -> RemoteActor:
    return RemoteActor(
        iri=DEV,
        host="dev.example",
        type="Organization",
        inbox=f"{DEV}/inbox",
        shared_inbox=None,
        preferred_username="dev",
        name="Dev",
        summary=None,
        url=None,
        outbox=None,
        followers=None,
        following=None,
        kind="developer",
        manually_approves_followers=False,
        fetched_at=1.0,
    )


async def test_local_and_cached_remote_keys_verify_only_their_own_party(node: Node) -> None:
    fed = node.federation
    city = await create_organisation(
        node.uow, node.clock, handle="city", name="City", kind="government", keys=TEST_KEYS
    )
    city_iri = fed.iris.org("city")
    pair = generate_ed25519()
    async with node.uow() as tx:
        await tx.actors.upsert(
            remote_actor(), [RemoteKey(DEV_KEY, DEV, "ed25519", pair.public_pem)]
        )
    private = load_private_key(pair.private_pem)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    dev_signed = create_proof(
        DOCUMENT, private, verification_method=DEV_KEY, created=node.clock.now()
    )
    city_proof = await sign_contract_document(fed, city.id, "city", DOCUMENT)
    city_signed = {**DOCUMENT, "proof": city_proof}

    verify = await contract_verifier(
        fed, [city_iri, DEV], [city_proof["verificationMethod"], DEV_KEY]
    )
    assert verify(city_signed, city_iri) is True
    assert verify(dev_signed, DEV) is True
    # A proof is never accepted for the other party, nor over a changed document.
    assert verify(city_signed, DEV) is False
    assert verify(dev_signed, city_iri) is False
    assert verify({**dev_signed, "id": "c2"}, DEV) is False
    # Without the remote key's id the verifier has no key for the remote party (yet).
    assert (await contract_verifier(fed, [city_iri, DEV]))(dev_signed, DEV) is False
