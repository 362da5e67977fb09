"""Money in forms: people type major units ("12500.50"), the domain keeps integer minor units.

The conversion is exact (decimal digits, never a float): the amount may have at most as many
decimal places as the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD); anything more
cannot be paid exactly, so it is refused with the reason instead of being rounded.
"""

from __future__ import annotations

import re
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.money import Money, minor_unit_exponent

MAX_DIGITS = 16
_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?")


def currency_of(text: str, field: str) -> str:
    code = text.strip().upper()
    try:
        minor_unit_exponent(code)
    except InvalidError as error:
        raise InvalidError(f"{field}: {error.detail}", field=field) from None
    return code


def minor_units(text: str, currency: str, field: str, *, key: str | None = None) -> dict[str, Any]:
    """`{"amount": minor units, "currency"}` from a major-unit amount typed in a form; errors
    name `field` in words and carry `key` (default `field`) as the form field they concern."""
    try:
        return _minor_units(text, currency, field)
    except InvalidError as error:
        raise InvalidError(error.detail, field=key or field) from None


def _minor_units(text: str, currency: str, field: str) -> dict[str, Any]:
    code = currency_of(currency, field)
    exponent = minor_unit_exponent(code)
    raw = text.strip().replace(" ", "").replace("_", "")
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        example = "12500" if exponent == 0 else "12500." + "5".ljust(exponent, "0")
        raise InvalidError(
            f"{field}: an amount in {code} written with digits and at most one decimal point, "
            f"e.g. {example} (no thousands separators)",
            field=field,
        )
    whole, fraction = match.group(1).lstrip("0") or "0", match.group(2) or ""
    if len(whole) > MAX_DIGITS:
        raise InvalidError(f"{field}: too large an amount", field=field)
    if len(fraction) > exponent:
        places = "no decimal places" if exponent == 0 else f"at most {exponent} decimal places"
        raise InvalidError(
            f"{field}: {code} has {places}; {raw} cannot be paid exactly", field=field
        )
    return {"amount": int(whole + fraction.ljust(exponent, "0")), "currency": code}


def major_units(money: Money) -> str:
    """The amount as a form shows it back: major units without thousands separators."""
    return f"{money.decimal:.{money.exponent}f}"
