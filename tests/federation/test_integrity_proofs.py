"""Objects signed by their author (FEP-8b32) verify on another node, and forgeries do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from federation.fetch import FetchBudget
from federation.integrity import IntegrityError, sign_as, verify_author
from tests.federation.cluster import ClusterNode, cluster

pytestmark = pytest.mark.cluster


async def signed_note(node: ClusterNode, handle: str, **extra: Any) -> dict[str, Any]:
    org = await node.org(handle)
    actor = node.actor(handle)
    document = {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": f"{actor}/notes/1",
        "type": "Note",
        "attributedTo": actor,
        "content": "rated 4 of 5",
        **extra,
    }
    return await sign_as(node.node.federation, org.id, handle, document)


async def test_a_proof_made_by_the_author_verifies_on_another_node(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        document = await signed_note(c["alpha"], "city")
        author = await verify_author(c["beta"].node.federation, document, FetchBudget())
        assert author == c["alpha"].actor("city")
        # The key is now held: a second check needs no fetch at all.
        assert await verify_author(c["beta"].node.federation, document, FetchBudget(remaining=0))


async def test_a_changed_object_does_not_verify(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        document = await signed_note(c["alpha"], "city")
        tampered = {**document, "content": "rated 1 of 5"}
        with pytest.raises(IntegrityError) as caught:
            await verify_author(c["beta"].node.federation, tampered, FetchBudget())
        assert caught.value.reason == "bad_proof"


async def test_a_proof_by_another_organisation_does_not_make_it_the_author(
    tmp_path: Path,
) -> None:
    """mallory (same node) signs a note that names city as its author: refused."""
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha = c["alpha"]
        await alpha.org("city")
        mallory = await alpha.org("mallory")
        forged = {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": alpha.actor("city") + "/notes/9",
            "type": "Note",
            "attributedTo": alpha.actor("city"),
            "content": "city says: terrible tool",
        }
        signed = await sign_as(alpha.node.federation, mallory.id, "mallory", forged)
        with pytest.raises(IntegrityError) as caught:
            await verify_author(c["beta"].node.federation, signed, FetchBudget())
        assert caught.value.reason == "key_not_listed"


async def test_a_proof_from_another_origin_is_refused_before_any_fetch(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        document = await signed_note(c["alpha"], "city")
        moved = {**document, "attributedTo": "https://victim.example/orgs/x"}
        budget = FetchBudget()
        with pytest.raises(IntegrityError) as caught:
            await verify_author(c["beta"].node.federation, moved, budget)
        assert caught.value.reason == "proof_origin"
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        with pytest.raises(IntegrityError) as caught:
            await verify_author(c["beta"].node.federation, unsigned, budget)
        assert caught.value.reason == "proof_missing"
