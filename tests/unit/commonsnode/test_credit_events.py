"""A credit event carries the signed contract as every sender shares it (`evidence`), and a
job's payload reads back into the same event."""

from __future__ import annotations

import json

import pytest

from commonsnode.credit_events import CreditEvent
from commonsnode.model.contracts import Contract, Signature, document, evidence
from tests.unit.commonsnode.test_contract_documents import CITY, DEV, terms

PROOFS = {CITY: {"type": "DataIntegrityProof", "proofValue": "z1"}, DEV: {"proofValue": "z2"}}


def signed() -> Contract:
    held = terms()
    return Contract(
        held,
        "completed",
        ("accepted",) * len(held.milestones),
        1.0,
        signatures=tuple(Signature(party, proof, 1.0) for party, proof in PROOFS.items()),
    )


def test_the_evidence_is_the_document_and_each_party_proof() -> None:
    contract = signed()
    assert evidence(contract) == {
        "document": document(contract.terms),
        "signatures": [{"party": party, "proof": proof} for party, proof in PROOFS.items()],
    }


def test_a_credit_event_reads_back_from_its_job() -> None:
    event = CreditEvent.of("listing-1", signed(), 2.0)
    job = event.to_job()
    payload = json.loads(json.dumps(job.payload))  # as the job table keeps it
    assert CreditEvent.from_payload(payload) == event
    assert job.dedupe_key == f"credit:listing-1:{event.contract}"


@pytest.mark.parametrize(
    "evidence_value",
    [None, [], {"document": "x", "signatures": []}, {"document": {}, "signatures": {}}],
)
def test_a_credit_event_without_a_signed_contract_is_malformed(evidence_value: object) -> None:
    payload = CreditEvent.of("listing-1", signed(), 2.0).to_job().payload
    with pytest.raises((KeyError, TypeError)):
        CreditEvent.from_payload({**payload, "evidence": evidence_value})
