"""OCDS export: a whole commission validates against the OCDS 1.1.5 release-package schema.

The schemas are vendored in tests/fixtures/ocds (see its README; `SHARED` in tests/conftest.py).
The package schema refers to the release schema by URL; a `referencing`
registry maps that URL to the local file and any other retrieval fails, so nothing is fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from commonsnode.errors import ConflictError
from commonsnode.model.bids import Bid, new_bid, parse_bid_terms
from commonsnode.model.contracts import (
    Contract,
    Party,
    add_signature,
    contract_from_award,
    document,
    transition,
)
from commonsnode.model.dates import parse_instant
from commonsnode.model.ledger import Ledger, parse_payment, record
from commonsnode.model.money import Money
from commonsnode.model.ocds import BID_EXTENSION, SIGNATORIES_EXTENSION, release_package, value
from commonsnode.model.requests import Request, new_request, parse_request_terms
from commonsnode.model.requests import transition as request_transition
from federation.signatures.proofs import ProofError, create_proof, verify_proof
from tests.conftest import SHARED

OCDS = SHARED / "ocds"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"
SUPPORT = "https://support.example/orgs/help"
OPERATOR = Party("https://commons.example/actor", "Commons operator")
NAMES = {CITY: "City of Example", DEV: "Dev Co-op", SUPPORT: "Help Ltd"}
KEYS = {CITY: Ed25519PrivateKey.generate(), DEV: Ed25519PrivateKey.generate()}
T0 = 1_800_000_000.0  # 2027-01-15
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _no_network(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


@cache
def validator() -> Draft4Validator:
    package = json.loads((OCDS / "release-package-schema.json").read_text("utf-8"))
    release = json.loads((OCDS / "release-schema.json").read_text("utf-8"))
    assert release["id"] == RELEASE_URL
    registry = Registry(retrieve=_no_network).with_resource(  # type: ignore[call-arg]
        RELEASE_URL, Resource.from_contents(release, default_specification=DRAFT4)
    )
    Draft4Validator.check_schema(package)
    return Draft4Validator(package, registry=registry)


def errors(package: Mapping[str, Any]) -> list[str]:
    found = sorted(validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def verify(signed: Mapping[str, Any], party: str) -> bool:
    try:
        proof = verify_proof(signed, KEYS[party].public_key())
    except (ProofError, KeyError):
        return False
    return proof.verification_method == f"{party}#ed25519-key"


def sign(contract: Contract, party: str, at: float) -> Contract:
    secured = create_proof(
        document(contract.terms),
        KEYS[party],
        verification_method=f"{party}#ed25519-key",
        created=at,
    )
    return add_signature(contract, party, secured["proof"], verify, at)


def bid_body(price: int, first: int, days: int) -> dict[str, Any]:
    return {
        "price": {"amount": price, "currency": "EUR"},
        "timeline_days": days,
        "approach": "Reuse and extend an existing open-source tool.",
        "milestones": [
            {"title": "Beta", "due": "2027-05-01", "amount": {"amount": first, "currency": "EUR"}},
            {
                "title": "Release",
                "due": "2027-07-01",
                "amount": {"amount": price - first, "currency": "EUR"},
            },
        ],
    }


def story() -> tuple[Request, list[Bid], Contract, list[Any]]:
    """Request, two bids, award, contract signed by both, two payments."""
    terms = parse_request_terms(
        {
            "kind": "new-tool",
            "title": "Participatory budgeting",
            "description": "Residents propose and vote on projects.",
            "requirements": ["WCAG 2.1 AA"],
            "budget": {
                "min": {"amount": 10_000_00, "currency": "EUR"},
                "max": {"amount": 50_000_00, "currency": "EUR"},
            },
            "deadline": "2027-03-01T12:00:00Z",
            "criteria": {"price": 50, "timeline": 20, "reputation": 10, "approach": 20},
        }
    )
    request = new_request("7f3a", CITY, terms, T0)
    request = request_transition(request, "publish", CITY, T0 + 60)
    bids = [
        new_bid(
            "bid-dev", request, DEV, parse_bid_terms(bid_body(30_000_00, 10_000_00, 90)), T0 + 3600
        ),
        new_bid(
            "bid-help",
            request,
            SUPPORT,
            parse_bid_terms(bid_body(42_500_50, 12_500_50, 60)),
            T0 + 7200,
        ),
    ]
    deadline = parse_instant("2027-03-01T12:00:00Z", "deadline")
    request = request_transition(request, "close", None, deadline)
    request = request_transition(request, "award", CITY, deadline + 86_400, bid_id="bid-dev")
    contract = contract_from_award(
        "https://city.example/contracts/c-7f3a",
        request,
        bids[0],
        buyer_name=NAMES[CITY],
        supplier_name=NAMES[DEV],
        operator=OPERATOR,
        fee_basis_points=250,
        now=deadline + 86_400,
    )
    contract = sign(contract, CITY, deadline + 90_000)
    contract = sign(contract, DEV, deadline + 95_000)
    contract = transition(contract, "start", DEV, deadline + 100_000, verify)
    contract = transition(contract, "deliver", DEV, deadline + 200_000, verify, milestone=1)
    contract = transition(contract, "accept", CITY, deadline + 300_000, verify, milestone=1)
    ledger = Ledger()
    for body in (
        {
            "milestone": 1,
            "amount": {"amount": 6_000_00, "currency": "EUR"},
            "date": "2027-05-03",
            "reference": "SEPA-0001",
        },
        {
            "milestone": 1,
            "amount": {"amount": 4_000_00, "currency": "EUR"},
            "date": "2027-05-10",
            "reference": "SEPA-0002",
        },
    ):
        ledger = record(ledger, contract, parse_payment(body, contract))
    return request, bids, contract, [e.payment for e in ledger.entries]


def package_of(request: Request, bids: list[Bid], **kwargs: Any) -> dict[str, Any]:
    return release_package(
        request,
        bids,
        names=NAMES,
        ocid_prefix="ocds-test01",
        package_uri=f"https://city.example/api/v1/requests/{request.id}/ocds",
        publisher_name="City of Example",
        publisher_uri="https://city.example",
        license_uri="https://creativecommons.org/publicdomain/zero/1.0/",
        **kwargs,
    )


def test_a_full_story_validates_against_the_release_package_schema() -> None:
    request, bids, contract, payments = story()
    package = package_of(request, bids, contract=contract, payments=payments)
    assert errors(package) == []
    (release,) = package["releases"]
    assert package["version"] == "1.1"
    assert package["extensions"] == [BID_EXTENSION, SIGNATORIES_EXTENSION]
    assert release["ocid"] == "ocds-test01-7f3a"
    assert release["tag"] == ["tender", "award", "contract", "implementation"]
    assert release["tender"]["status"] == "complete"
    assert json.dumps(release["tender"]["value"]) == '{"amount": 50000, "currency": "EUR"}'
    assert release["tender"]["minValue"] == {"amount": 10000, "currency": "EUR"}
    assert release["tender"]["awardCriteriaDetails"].startswith(
        "Weighted criteria: price 50%, timeline 20%, reputation 10%, approach 20%."
    )
    details = release["bids"]["details"]
    assert [d["id"] for d in details] == ["bid-dev", "bid-help"]
    assert details[1]["value"] == {"amount": 42500.5, "currency": "EUR"}
    assert details[1]["tenderers"] == [{"id": SUPPORT, "name": "Help Ltd"}]
    assert release["bids"]["statistics"] == [{"id": "1", "measure": "bids", "value": 2}]
    (award,) = release["awards"]
    assert award["relatedBid"] == "bid-dev"
    assert award["suppliers"] == [{"id": DEV, "name": "Dev Co-op"}]
    (signed,) = release["contracts"]
    assert signed["awardID"] == award["id"]
    assert signed["status"] == "active"
    assert signed["dateSigned"] == "2027-03-02T14:23:20Z"  # the later proof's `created`
    assert signed["signatories"] == [
        {"id": CITY, "name": "City of Example"},
        {"id": DEV, "name": "Dev Co-op"},
    ]
    assert [m["status"] for m in signed["milestones"]] == ["met", "scheduled"]
    transactions = signed["implementation"]["transactions"]
    assert [t["id"] for t in transactions] == ["SEPA-0001", "SEPA-0002"]
    assert transactions[0]["value"] == {"amount": 6000, "currency": "EUR"}
    assert transactions[0]["payer"]["id"] == CITY
    assert transactions[0]["payee"]["id"] == DEV
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles == {
        CITY: ["buyer", "procuringEntity", "payer"],
        DEV: ["tenderer", "supplier", "payee"],
        SUPPORT: ["tenderer"],
    }
    # Every organisation reference points at a party (OCDS guidance), and dates are date-times.
    assert all(DATE_TIME.match(d) for d in _dates(release)), sorted(_dates(release))
    referenced = [
        release["buyer"],
        *award["suppliers"],
        *signed["signatories"],
        *release["tender"]["tenderers"],
        *(t[side] for t in transactions for side in ("payer", "payee")),
    ]
    parties = {(p["id"], p["name"]) for p in release["parties"]}
    assert {(r["id"], r["name"]) for r in referenced} == parties
    assert json.loads(json.dumps(package, allow_nan=False)) == package


def _dates(value: Any, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [d for k, v in value.items() for d in _dates(v, k)]
    if isinstance(value, list):
        return [d for v in value for d in _dates(v, key)]
    return [value] if key.lower().endswith("date") and isinstance(value, str) else []


def test_the_export_is_the_same_on_every_run_and_changes_with_the_content() -> None:
    request, bids, contract, payments = story()
    first = package_of(request, bids, contract=contract, payments=payments)
    again = package_of(request, bids, contract=contract, payments=payments)
    assert first == again
    fewer = package_of(request, bids, contract=contract, payments=payments[:1])
    assert fewer["releases"][0]["id"] != first["releases"][0]["id"]
    assert errors(fewer) == []


def test_while_bidding_runs_only_the_count_of_bids_is_published() -> None:
    request, bids, _, _ = story()
    still_open = replace(request, state="open", awarded_bid=None, awarded_at=None)
    package = package_of(still_open, bids)
    assert errors(package) == []
    release = package["releases"][0]
    assert release["bids"] == {"statistics": [{"id": "1", "measure": "bids", "value": 2}]}
    assert "tenderers" not in release["tender"]
    assert "awards" not in release
    assert release["tender"]["status"] == "active"
    assert {p["id"] for p in release["parties"]} == {CITY}


def test_a_cancelled_request_publishes_its_bids_and_the_cancellation() -> None:
    request, bids, _, _ = story()
    cancelled = replace(request, state="cancelled", awarded_bid=None)
    package = package_of(cancelled, bids)
    assert errors(package) == []
    release = package["releases"][0]
    assert release["tag"] == ["tender", "tenderCancellation"]
    assert release["tender"]["status"] == "cancelled"
    assert len(release["bids"]["details"]) == 2


def test_a_contract_awaiting_a_signature_is_pending_with_one_signatory() -> None:
    request, bids, contract, _ = story()
    pending = replace(contract, state="awaiting-signatures", signatures=contract.signatures[:1])
    package = package_of(request, bids, contract=pending)
    assert errors(package) == []
    (signed,) = package["releases"][0]["contracts"]
    assert signed["status"] == "pending"
    assert "dateSigned" not in signed
    assert signed["signatories"] == [{"id": CITY, "name": "City of Example"}]


def test_a_draft_is_not_exported() -> None:
    request, bids, _, _ = story()
    with pytest.raises(ConflictError):
        package_of(replace(request, state="draft"), bids)


def test_the_validator_does_catch_a_broken_package() -> None:
    request, bids, contract, payments = story()
    package = package_of(request, bids, contract=contract, payments=payments)
    package["releases"][0]["tag"] = ["finished"]
    del package["publisher"]
    assert len(errors(package)) == 2


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        (Money(123456, "EUR"), 1234.56),
        (Money(1500, "JPY"), 1500),
        (Money(1005, "KWD"), 1.005),
        (Money(999_999_999_999_999, "EUR"), 9_999_999_999_999.99),
        (Money(1, "CLF"), 0.0001),
        (Money(5_000_000, "EUR"), 50_000),
    ],
)
def test_ocds_values_are_major_units_exactly(money: Money, expected: float) -> None:
    amount = value(money)["amount"]
    assert amount == expected
    assert json.dumps(amount) == json.dumps(expected)
    assert type(amount) is type(expected)
