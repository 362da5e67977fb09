"""A relayed signed object whose author's keys cannot be read now is retried, not re-read from
the author's node: that node is the one not answering, so a re-read only waits out a second
timeout (and once refused, the object would be lost for good)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from federation import announce
from federation.catalog import CatalogSettings
from federation.inbox.handlers.objects import KINDS
from federation.integrity import IntegrityError, KeyUnavailable
from tests.federation.cluster import cluster

pytestmark = pytest.mark.cluster

RATING = {
    "id": "https://beta.example/ratings/1",
    "type": "Note",
    "attributedTo": "https://beta.example/orgs/dev",
    "inReplyTo": "https://gamma.example/listings/1",
    "scores": {"overall": 4},
    "proof": {"type": "DataIntegrityProof"},
}


@pytest.mark.parametrize(
    ("failure", "reread"),
    [(KeyUnavailable("key_unavailable"), False), (IntegrityError("bad_proof"), True)],
)
async def test_unreadable_keys_retry_while_a_bad_proof_reads_the_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: IntegrityError, reread: bool
) -> None:
    async with cluster(tmp_path, "alpha") as c:
        fed = c["alpha"].node.federation
        asked: list[str] = []

        async def permitted(*_: Any) -> bool:
            return True

        async def verify(*_: Any) -> str:
            raise failure

        async def read_origin(_: Any, __: Any, iri: str, *___: Any, **____: Any) -> str:
            asked.append(iri)
            return "unavailable"

        monkeypatch.setattr(announce, "_permitted_and_asked", permitted)
        monkeypatch.setattr(announce, "verify_author", verify)
        monkeypatch.setattr(announce, "accept_relayed", read_origin)
        kind = announce._kind_of(RATING, KINDS)
        assert kind is not None
        assert kind.signed
        if reread:
            outcome = await announce.accept_signed(
                fed, CatalogSettings(), RATING, "https://hub.example/catalog", KINDS
            )
            assert outcome == "unavailable"
            assert asked == [RATING["id"]]
        else:
            with pytest.raises(KeyUnavailable):
                await announce.accept_signed(
                    fed, CatalogSettings(), RATING, "https://hub.example/catalog", KINDS
                )
            assert asked == []
