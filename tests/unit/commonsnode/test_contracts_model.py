"""Contracts: canonical document, two FEP-8b32 signatures to be in force, lifecycle table.

Signatures are real eddsa-jcs-2022 proofs from federation.signatures.proofs, checked through the
injected verifier, so this also shows any node can verify both parties with their public keys.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, get_args

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.bids import Bid, BidTerms, Milestone
from commonsnode.model.contracts import (
    ACTORS,
    TRANSITIONS,
    Contract,
    ContractState,
    Party,
    add_signature,
    canonical,
    completion_credit,
    contract_from_award,
    document,
    in_force,
    signature_report,
    transition,
)
from commonsnode.model.money import Money
from commonsnode.model.requests import new_request, parse_request_terms
from federation.signatures.proofs import ProofError, create_proof, verify_proof

CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"
OPERATOR = Party("https://commons.example/actor", "Commons operator")
NOW = 1_800_000_000.0
KEYS = {CITY: Ed25519PrivateKey.generate(), DEV: Ed25519PrivateKey.generate()}


def verify(signed: Mapping[str, Any], party: str) -> bool:
    """What a node does: check the proof with the party's published key, tie the key to it."""
    key = KEYS.get(party)
    if key is None:
        return False
    try:
        proof = verify_proof(signed, key.public_key())
    except ProofError:
        return False
    return proof.verification_method == f"{party}#ed25519-key"


def proof_by(contract: Contract, party: str, key: Ed25519PrivateKey | None = None) -> dict:
    secured = create_proof(
        document(contract.terms),
        key or KEYS[party],
        verification_method=f"{party}#ed25519-key",
        created=NOW,
    )
    return secured["proof"]


def _request_body() -> dict[str, Any]:
    return {
        "kind": "change",
        "listing": "https://city.example/listings/permits",
        "title": "Add e-signatures to the permit tracker",
        "description": "Residents sign permit forms online.",
        "requirements": ["eIDAS"],
        "budget": {
            "min": {"amount": 0, "currency": "EUR"},
            "max": {"amount": 20_000_00, "currency": "EUR"},
        },
        "deadline": "2027-06-01",
        "criteria": {"price": 1},
    }


def _bid(request_id: str) -> Bid:
    return Bid(
        id="https://dev.example/bids/b1",
        request_id=request_id,
        bidder=DEV,
        terms=BidTerms(
            price=Money(15_000_00, "EUR"),
            timeline_days=60,
            approach="Integrate an open-source signing service.",
            milestones=(
                Milestone("Design", date(2027, 7, 1), Money(5_000_00, "EUR")),
                Milestone("Release", date(2027, 8, 1), Money(10_000_00, "EUR")),
            ),
            team=("lead",),
        ),
        submitted_at=NOW,
    )


def awarded_contract(**term_changes: Any) -> Contract:
    request = replace(
        new_request(
            "https://city.example/requests/r1", CITY, parse_request_terms(_request_body()), NOW
        ),
        state="awarded",
        awarded_bid="https://dev.example/bids/b1",
        awarded_at=NOW + 10,
    )
    contract = contract_from_award(
        "https://city.example/contracts/c1",
        request,
        _bid(request.id),
        buyer_name="City of Example",
        supplier_name="Dev Co-op",
        operator=OPERATOR,
        fee_basis_points=250,
        now=NOW + 20,
    )
    return replace(contract, terms=replace(contract.terms, **term_changes))


def signed_contract() -> Contract:
    contract = awarded_contract()
    contract = add_signature(contract, CITY, proof_by(contract, CITY), verify, NOW + 30)
    return add_signature(contract, DEV, proof_by(contract, DEV), verify, NOW + 40)


def test_the_document_holds_parties_scope_milestones_price_schedule_and_fee() -> None:
    doc = document(awarded_contract().terms)
    assert doc["buyer"] == {"id": CITY, "name": "City of Example"}
    assert doc["supplier"] == {"id": DEV, "name": "Dev Co-op"}
    assert doc["scope"]["listing"] == "https://city.example/listings/permits"
    assert doc["price"] == {"amount": 15_000_00, "currency": "EUR"}
    assert [m["index"] for m in doc["milestones"]] == [1, 2]
    assert doc["paymentSchedule"][1] == {
        "milestone": 2,
        "when": "on acceptance",
        "amount": {"amount": 10_000_00, "currency": "EUR"},
        "platformFee": {"amount": 250_00, "currency": "EUR"},
        "payeeReceives": {"amount": 9_750_00, "currency": "EUR"},
    }
    assert doc["platformFee"]["basisPoints"] == 250
    assert doc["platformFee"]["total"] == {"amount": 375_00, "currency": "EUR"}
    assert doc["awarded"] == "2027-01-15T08:00:10Z"
    # Nothing but JSON strings, integers, lists and objects: no floats, no node-local values.
    json.dumps(doc, allow_nan=False)
    assert "float" not in {type(v).__name__ for v in _leaves(doc)}


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_the_canonical_form_is_stable_across_runs_and_key_order() -> None:
    first, second = awarded_contract(), awarded_contract()
    assert canonical(first.terms) == canonical(second.terms)
    doc = document(first.terms)
    reordered = _reversed_keys(doc)
    assert list(reordered) != list(doc)
    assert rfc8785.dumps(reordered) == canonical(first.terms)
    assert canonical(first.terms).startswith(b'{"awarded":"2027-01-15T08:00:10Z","bid":')
    changed = awarded_contract(title="Something else")
    assert canonical(changed.terms) != canonical(first.terms)


def test_one_signature_is_not_in_force() -> None:
    contract = awarded_contract()
    once = add_signature(contract, CITY, proof_by(contract, CITY), verify, NOW + 30)
    assert once.state == "awaiting-signatures"
    assert not in_force(once, verify)
    assert signature_report(once, verify) == {CITY: True, DEV: False}
    with pytest.raises(ConflictError, match="awaiting-signatures"):
        transition(once, "start", CITY, NOW + 31, verify)
    # Even a record that claims to be signed does not move without both proofs verifying.
    with pytest.raises(ConflictError, match="not in force"):
        transition(replace(once, state="signed"), "start", CITY, NOW + 31, verify)


def test_both_signatures_put_it_in_force_on_any_node() -> None:
    contract = signed_contract()
    assert contract.state == "signed"
    assert in_force(contract, verify)
    assert signature_report(contract, verify) == {CITY: True, DEV: True}


def test_a_proof_by_the_wrong_key_or_over_other_terms_is_refused() -> None:
    contract = awarded_contract()
    with pytest.raises(InvalidError, match="does not verify"):
        add_signature(contract, DEV, proof_by(contract, DEV, KEYS[CITY]), verify, NOW)
    other = awarded_contract(title="Cheaper scope")
    with pytest.raises(InvalidError, match="does not verify"):
        add_signature(contract, DEV, proof_by(other, DEV), verify, NOW)


def test_tampered_terms_break_force() -> None:
    contract = signed_contract()
    tampered = replace(contract, terms=replace(contract.terms, price=Money(1, "EUR")))
    assert not in_force(tampered, verify)
    assert signature_report(tampered, verify) == {CITY: False, DEV: False}
    with pytest.raises(ConflictError, match="not in force"):
        transition(tampered, "start", DEV, NOW + 50, verify)


def test_only_the_parties_sign_and_a_signature_is_not_swapped() -> None:
    contract = awarded_contract()
    with pytest.raises(ForbiddenError):
        add_signature(contract, OPERATOR.id, {"type": "DataIntegrityProof"}, verify, NOW)
    proof = proof_by(contract, CITY)
    once = add_signature(contract, CITY, proof, verify, NOW)
    assert add_signature(once, CITY, proof, verify, NOW + 1) is once
    later = create_proof(
        document(contract.terms),
        KEYS[CITY],
        verification_method=f"{CITY}#ed25519-key",
        created=NOW + 99,
    )["proof"]
    with pytest.raises(ConflictError, match="already signed"):
        add_signature(once, CITY, later, verify, NOW + 2)


def test_a_verifier_that_raises_counts_as_not_verified() -> None:
    def broken(signed: Mapping[str, Any], party: str) -> bool:
        raise ValueError("malformed key")

    contract = awarded_contract()
    with pytest.raises(InvalidError):
        add_signature(contract, CITY, proof_by(contract, CITY), broken, NOW)


def test_a_contract_comes_only_from_the_awarded_bid() -> None:
    contract = awarded_contract()
    request = replace(
        new_request(contract.terms.request, CITY, parse_request_terms(_request_body()), NOW),
        state="evaluating",
    )
    with pytest.raises(ConflictError, match="awarded bid"):
        contract_from_award(
            "c2",
            request,
            _bid(request.id),
            buyer_name="C",
            supplier_name="D",
            operator=OPERATOR,
            fee_basis_points=250,
            now=NOW,
        )


def test_a_new_contract_awaits_signatures_with_every_milestone_pending() -> None:
    contract = awarded_contract()
    assert contract.state == "awaiting-signatures"
    assert contract.milestone_states == ("pending", "pending")


def test_the_lifecycle_runs_to_completion() -> None:
    contract = signed_contract()
    contract = transition(contract, "start", DEV, NOW + 50, verify)
    assert contract.state == "in-progress"
    contract = transition(contract, "deliver", DEV, NOW + 60, verify, milestone=1)
    assert contract.milestone_states == ("delivered", "pending")
    contract = transition(contract, "reject", CITY, NOW + 61, verify, milestone=1)
    assert contract.milestone_states == ("pending", "pending")
    contract = transition(contract, "deliver", DEV, NOW + 62, verify, milestone=1)
    contract = transition(contract, "accept", CITY, NOW + 70, verify, milestone=1)
    assert (contract.state, contract.milestone_states) == ("in-progress", ("accepted", "pending"))
    with pytest.raises(ConflictError, match="pending"):
        transition(contract, "accept", CITY, NOW + 71, verify, milestone=2)
    contract = transition(contract, "deliver", DEV, NOW + 80, verify, milestone=2)
    contract = transition(contract, "accept", CITY, NOW + 90, verify, milestone=2)
    assert contract.state == "completed"
    assert contract.accepted_at == (NOW + 70, NOW + 90)
    credit = completion_credit(contract)
    assert credit.text == "commissioned by City of Example, built by Dev Co-op"
    assert credit.listing == "https://city.example/listings/permits"


def test_credit_only_for_completed_contracts() -> None:
    with pytest.raises(ConflictError):
        completion_credit(signed_contract())


STATES = get_args(ContractState)


@pytest.mark.parametrize(
    ("state", "action"), sorted(set(itertools.product(STATES, ACTORS)) - set(TRANSITIONS))
)
def test_every_move_outside_the_table_is_refused(state: str, action: str) -> None:
    contract = replace(signed_contract(), state=state)  # type: ignore[arg-type]
    actor = DEV if "supplier" in ACTORS[action] else CITY  # type: ignore[index]
    with pytest.raises(ConflictError, match=f"is {state}"):
        transition(contract, action, actor, NOW, verify, milestone=1, reason="x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "wrong"),
    [("deliver", CITY), ("accept", DEV), ("reject", DEV), ("start", OPERATOR.id)],
)
def test_each_action_belongs_to_its_party(action: str, wrong: str) -> None:
    contract = transition(signed_contract(), "start", CITY, NOW, verify)
    contract = transition(contract, "deliver", DEV, NOW, verify, milestone=1)
    with pytest.raises(ForbiddenError):
        transition(contract, action, wrong, NOW, verify, milestone=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("milestone", [0, 3, None, "1"])
def test_milestones_are_numbered_from_1(milestone: object) -> None:
    contract = transition(signed_contract(), "start", CITY, NOW, verify)
    with pytest.raises(InvalidError, match="milestone"):
        transition(contract, "deliver", DEV, NOW, verify, milestone=milestone)  # type: ignore[arg-type]


@pytest.mark.parametrize("started", [False, True])
def test_either_party_may_dispute_with_a_reason(started: bool) -> None:
    contract = signed_contract()
    if started:
        contract = transition(contract, "start", DEV, NOW, verify)
    with pytest.raises(InvalidError, match="reason"):
        transition(contract, "dispute", CITY, NOW, verify)
    disputed = transition(contract, "dispute", CITY, NOW, verify, reason="late delivery")
    assert (disputed.state, disputed.dispute_reason) == ("disputed", "late delivery")


def _in_progress() -> Contract:
    """Started, with no milestone moved: the milestones alone would say "signed"."""
    return transition(signed_contract(), "start", DEV, NOW, verify)


@pytest.mark.parametrize(
    ("build", "before"), [(signed_contract, "signed"), (_in_progress, "in-progress")]
)
def test_the_disputing_party_withdraws_and_the_contract_goes_on_as_before(
    build: Any, before: str
) -> None:
    disputed = transition(build(), "dispute", CITY, NOW, verify, reason="late delivery")
    assert (disputed.disputed_by, disputed.disputed_from) == (CITY, before)
    back = transition(disputed, "withdraw-dispute", CITY, NOW + 1, verify)
    assert back.state == before
    assert (back.dispute_reason, back.disputed_by, back.disputed_from) == (None, None, None)
    assert back.updated_at == NOW + 1
    # ... and the work continues from there: a started contract takes a delivery.
    started = back if before == "in-progress" else transition(back, "start", DEV, NOW, verify)
    delivered = transition(started, "deliver", DEV, NOW, verify, milestone=1)
    assert delivered.milestone_states[0] == "delivered"


def test_a_withdrawn_dispute_keeps_the_milestones_moved_before_it() -> None:
    contract = transition(_in_progress(), "deliver", DEV, NOW, verify, milestone=1)
    contract = transition(contract, "accept", CITY, NOW, verify, milestone=1)
    disputed = transition(contract, "dispute", DEV, NOW, verify, reason="unpaid")
    back = transition(disputed, "withdraw-dispute", DEV, NOW, verify)
    assert (back.state, back.milestone_states) == ("in-progress", ("accepted", "pending"))


def test_only_the_party_that_raised_the_dispute_withdraws_it() -> None:
    disputed = transition(signed_contract(), "dispute", CITY, NOW, verify, reason="late")
    with pytest.raises(ForbiddenError, match="raised the dispute"):
        transition(disputed, "withdraw-dispute", DEV, NOW, verify)
    with pytest.raises(ForbiddenError):
        transition(disputed, "withdraw-dispute", OPERATOR.id, NOW, verify)


def test_a_dispute_without_a_known_author_is_not_withdrawn_but_may_be_terminated() -> None:
    """A contract disputed before disputes were attributed (no `disputed_by`)."""
    legacy = replace(signed_contract(), state="disputed", dispute_reason="old")
    for party in (CITY, DEV):
        with pytest.raises(ForbiddenError):
            transition(legacy, "withdraw-dispute", party, NOW, verify)
    ended = transition(legacy, "terminate", DEV, NOW, verify, reason="no way forward")
    assert ended.state == "terminated"


@pytest.mark.parametrize("who", [CITY, DEV])
def test_either_party_terminates_a_disputed_contract_with_a_reason(who: str) -> None:
    disputed = transition(_in_progress(), "dispute", CITY, NOW, verify, reason="late")
    for missing in (None, "", "   "):
        with pytest.raises(InvalidError, match="reason"):
            transition(disputed, "terminate", who, NOW, verify, reason=missing)
    with pytest.raises(ForbiddenError):
        transition(disputed, "terminate", OPERATOR.id, NOW, verify, reason="x")
    ended = transition(disputed, "terminate", who, NOW + 5, verify, reason=" no way forward ")
    assert (ended.state, ended.termination_reason) == ("terminated", "no way forward")
    assert ended.dispute_reason == "late"  # what the dispute was about stays on record
    assert ended.updated_at == NOW + 5


def test_a_terminated_contract_is_final_and_gives_no_credit() -> None:
    disputed = transition(signed_contract(), "dispute", DEV, NOW, verify, reason="scope")
    ended = transition(disputed, "terminate", CITY, NOW, verify, reason="ended")
    for action, roles in ACTORS.items():
        actor = DEV if "supplier" in roles else CITY
        with pytest.raises(ConflictError, match="is terminated"):
            transition(ended, action, actor, NOW, verify, milestone=1, reason="x")
    with pytest.raises(ConflictError):
        completion_credit(ended)


@pytest.mark.parametrize("action", ["withdraw-dispute", "terminate"])
@pytest.mark.parametrize("state", ["awaiting-signatures", "signed", "in-progress", "completed"])
def test_a_dispute_ends_only_on_a_disputed_contract(action: str, state: str) -> None:
    contract = replace(signed_contract(), state=state, disputed_by=CITY)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match=f"is {state}"):
        transition(contract, action, CITY, NOW, verify, reason="x")  # type: ignore[arg-type]


def test_local_ids_are_replaced_by_iris_in_the_document() -> None:
    request = replace(
        new_request("r-local", CITY, parse_request_terms(_request_body()), NOW),
        state="awarded",
        awarded_bid="b-local",
        awarded_at=NOW,
    )
    bid = replace(_bid("r-local"), id="b-local")
    contract = contract_from_award(
        "https://city.example/contracts/c9",
        request,
        bid,
        buyer_name="City",
        supplier_name="Dev",
        operator=OPERATOR,
        fee_basis_points=0,
        now=NOW,
        request_iri="https://city.example/requests/r-local",
        bid_iri="https://dev.example/bids/b-local",
    )
    doc = document(contract.terms)
    assert doc["request"] == "https://city.example/requests/r-local"
    assert doc["bid"] == "https://dev.example/bids/b-local"
    assert doc["platformFee"]["total"] == {"amount": 0, "currency": "EUR"}
