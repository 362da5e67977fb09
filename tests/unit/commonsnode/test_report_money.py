"""Reports use the one money module: its ISO 4217 list and each currency's own minor unit."""

from __future__ import annotations

import importlib.util

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.money import Money, format_money
from commonsnode.model.reports import check_facts
from federation.convert.reports import fact_rows

FACTS = {
    "organisation_kind": "local-government",
    "organisation_size": "50-249",
    "country": "cl",
    "hosting": "self-hosted",
    "start_date": "2023-09-01",
    "outcome": "pilot",
    "would_recommend": True,
}


def test_the_duplicate_currency_module_is_gone() -> None:
    assert importlib.util.find_spec("commonsnode.model.iso4217") is None


def test_a_report_cost_uses_the_currency_exponent_from_the_money_module() -> None:
    # CLF (Chilean Unidad de Fomento) has four decimals: only model/money.py knows it.
    facts = check_facts({**FACTS, "one_time_cost": {"amount": 123_456, "currency": "CLF"}})
    assert facts.one_time_cost == Money(123_456, "CLF")
    assert ("One-time cost", "CLF 12.3456") in fact_rows(facts)


def test_a_unit_less_code_cannot_be_a_report_cost() -> None:
    with pytest.raises(InvalidError) as caught:
        check_facts({**FACTS, "yearly_cost": {"amount": 1, "currency": "XAU"}})
    assert caught.value.field == "yearly_cost"


def test_formatting_never_rounds_and_keeps_the_sign() -> None:
    assert format_money(Money(10**15 - 1, "EUR")) == "EUR 9,999,999,999,999.99"
    assert format_money(Money(-5, "EUR")) == "EUR -0.05"
    assert format_money(Money(7, "BHD")) == "BHD 0.007"
