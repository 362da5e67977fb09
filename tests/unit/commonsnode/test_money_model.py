"""Money: minor units, ISO 4217 exponents, no mixed currencies, fee rounding, lossless splits."""

from __future__ import annotations

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.money import (
    ISO_4217,
    MAX_AMOUNT,
    Money,
    allocate,
    fee,
    minor_unit_exponent,
    parse_money,
    round_half_even,
    total,
)


def test_iso_4217_exponents_cover_zero_two_three_and_four_decimals() -> None:
    assert minor_unit_exponent("EUR") == 2
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("KWD") == 3
    assert minor_unit_exponent("CLF") == 4
    assert len(ISO_4217) >= 170
    assert all(len(code) == 3 and code.isupper() for code in ISO_4217)


@pytest.mark.parametrize("code", ["eur", "EURO", "ABC", "HRK", ""])
def test_unknown_or_withdrawn_currency_is_refused(code: str) -> None:
    with pytest.raises(InvalidError, match="ISO 4217"):
        Money(100, code)


def test_currency_without_minor_unit_cannot_carry_money() -> None:
    with pytest.raises(InvalidError, match="no minor unit"):
        Money(1, "XAU")


def test_parse_money_reads_the_contract_shape() -> None:
    assert parse_money({"amount": 1050, "currency": "EUR"}, "price") == Money(1050, "EUR")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"amount": 10.5, "currency": "EUR"}, "integer"),
        ({"amount": 10.0, "currency": "EUR"}, "integer"),
        ({"amount": "1050", "currency": "EUR"}, "integer"),
        ({"amount": True, "currency": "EUR"}, "integer"),
        ({"amount": 1050}, "currency"),
        ({"amount": 1050, "currency": "EUR", "decimals": 2}, "unknown keys"),
        ({"amount": 0, "currency": "EUR"}, "more than zero"),
        ({"amount": -5, "currency": "EUR"}, "more than zero"),
        ({"amount": MAX_AMOUNT + 1, "currency": "EUR"}, "at most"),
        ({"amount": 5, "currency": "eur"}, "ISO 4217"),
        (1050, "money is"),
    ],
)
def test_parse_money_refuses_anything_else(value: object, message: str) -> None:
    with pytest.raises(InvalidError, match=message) as error:
        parse_money(value, "price")
    assert error.value.field == "price"


def test_zero_is_allowed_where_asked() -> None:
    assert parse_money({"amount": 0, "currency": "EUR"}, "min", positive=False).amount == 0


def test_arithmetic_refuses_mixed_currencies() -> None:
    euros, dollars = Money(100, "EUR"), Money(100, "USD")
    assert euros + Money(1, "EUR") == Money(101, "EUR")
    assert euros - Money(150, "EUR") == Money(-50, "EUR")
    with pytest.raises(InvalidError, match="EUR with USD"):
        _ = euros + dollars
    with pytest.raises(InvalidError):
        _ = euros < dollars
    with pytest.raises(InvalidError):
        total([euros, dollars], "EUR")


def test_floats_never_become_money() -> None:
    with pytest.raises(InvalidError):
        Money(1.5, "EUR")  # type: ignore[arg-type]


def test_display_uses_the_currency_exponent() -> None:
    assert str(Money(123456, "EUR")) == "1,234.56 EUR"
    assert str(Money(1500, "JPY")) == "1,500 JPY"
    assert str(Money(1005, "KWD")) == "1.005 KWD"


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [(5, 0), (15, 2), (25, 2), (35, 4), (14, 1), (16, 2), (-15, -2), (-25, -2), (0, 0)],
)
def test_round_half_even_goes_to_the_even_neighbour_on_ties(numerator: int, expected: int) -> None:
    assert round_half_even(numerator, 10) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "bps", "expected"),
    [
        (1, "EUR", 250, 0),  # 0.025 cent rounds to nothing
        (1, "EUR", 5000, 0),  # exactly half a cent: ties to even 0
        (3, "EUR", 5000, 2),  # 1.5 cents: ties to even 2
        (20, "EUR", 250, 0),  # 0.5 cent: ties to even 0
        (60, "EUR", 250, 2),  # 1.5 cents: ties to even 2
        (100_00, "EUR", 250, 2_50),
        (99_999_999_999_999, "EUR", 250, 2_500_000_000_000),  # …999.975 rounds up
        (1_000, "JPY", 250, 25),
        (999, "JPY", 250, 25),  # 24.975 yen
        (1_001, "KWD", 250, 25),  # 25.025 fils
        (1_000_000, "KWD", 10_000, 1_000_000),
        (1_234, "EUR", 0, 0),
    ],
)
def test_fee_rounds_half_even_on_minor_units(
    amount: int, currency: str, bps: int, expected: int
) -> None:
    assert fee(Money(amount, currency), bps) == Money(expected, currency)


@pytest.mark.parametrize("bps", [-1, 10_001, 2.5, True])
def test_fee_rate_is_whole_basis_points_up_to_one_hundred_percent(bps: object) -> None:
    with pytest.raises(InvalidError):
        fee(Money(100, "EUR"), bps)  # type: ignore[arg-type]


def test_large_amounts_stay_exact() -> None:
    big = Money(MAX_AMOUNT, "EUR")
    assert fee(big, 250).amount == round_half_even(MAX_AMOUNT * 250, 10_000)
    assert fee(big, 250).amount == 25_000_000_000_000  # 24 999 999 999 999.975 rounds up
    assert fee(big, 10_000) == big


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (1, [1, 1], [1, 0]),
        (10, [3, 7], [3, 7]),
        (5, [0, 1], [0, 5]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (99_999, [1, 2, 3, 4, 5, 6, 7], None),
    ],
)
def test_allocation_never_loses_a_minor_unit(
    amount: int, weights: list[int], expected: list[int] | None
) -> None:
    parts = allocate(Money(amount, "EUR"), weights)
    assert sum(p.amount for p in parts) == amount
    if expected is not None:
        assert [p.amount for p in parts] == expected
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.amount * whole - amount * weight) < whole


@pytest.mark.parametrize("weights", [[], [0, 0], [-1, 2], [1.5, 1]])
def test_allocation_needs_sensible_weights(weights: list[object]) -> None:
    with pytest.raises(InvalidError):
        allocate(Money(10, "EUR"), weights)  # type: ignore[arg-type]
