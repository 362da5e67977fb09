"""Money as integer minor units of an ISO 4217 currency: never a float, never two currencies mixed.

Rules, so every node computes the same cents:
- an amount is an `int` of minor units (cents for EUR, yen for JPY, fils for KWD);
- arithmetic and comparison refuse two different currencies;
- a fee of N basis points (1 bp = 0.01 %) is `amount * N / 10_000` rounded half-even to a whole
  minor unit (banker's rounding: 0.5 goes to the even neighbour, so rounding errors do not pile
  up in one direction over many payments); a fee below half a minor unit is therefore 0;
- allocation splits an amount by weights with the largest-remainder method, so the parts always
  add up to the whole: no minor unit is ever lost or created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commonsnode.errors import InvalidError

# Amounts stay below 10^15 minor units: exact in a JSON number read by JavaScript (2^53) and in a
# 15-significant-digit decimal, which the OCDS export needs (OCDS amounts are JSON numbers).
MAX_AMOUNT = 10**15 - 1
BASIS_POINTS = 10_000

# ISO 4217 List One, current codes with their minor-unit exponent (as published up to 2025,
# including VED, SLE, ZWG and XCG). `None` marks funds, metals and testing codes that have no
# minor unit ("N.A."): they are known but cannot carry a payment.
_CODES_BY_EXPONENT: Mapping[int | None, str] = {
    2: (
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
        "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
        "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
        "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV "
        "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
        "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
        "USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
    ),
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
    None: "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX",
}
ISO_4217: Mapping[str, int | None] = {
    code: exponent for exponent, codes in _CODES_BY_EXPONENT.items() for code in codes.split()
}


def minor_unit_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit; refuses unknown and unit-less codes."""
    if currency not in ISO_4217:
        raise InvalidError(
            f"currency {currency!r}: not a current ISO 4217 code (three capital letters, e.g. EUR)",
            field="currency",
        )
    exponent = ISO_4217[currency]
    if exponent is None:
        raise InvalidError(
            f"currency {currency!r} has no minor unit and cannot carry a payment", field="currency"
        )
    return exponent


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units of one currency; negative amounts exist only inside ledgers."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:
            raise InvalidError("amount: an integer number of minor units", field="amount")
        minor_unit_exponent(self.currency)
        if abs(self.amount) > MAX_AMOUNT:
            raise InvalidError(f"amount: at most {MAX_AMOUNT} minor units", field="amount")

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise InvalidError(
                f"cannot combine {self.currency} with {other.currency}", field="currency"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def exponent(self) -> int:
        return minor_unit_exponent(self.currency)

    @property
    def decimal(self) -> Decimal:
        """The amount in major units, exactly (for display and export, never for arithmetic)."""
        return Decimal(self.amount).scaleb(-self.exponent)

    def to_json(self) -> dict[str, Any]:
        """The contract's wire shape: `{"amount": INTEGER_MINOR_UNITS, "currency": CODE}`."""
        return {"amount": self.amount, "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.decimal:,.{self.exponent}f} {self.currency}"


def format_money(money: Money) -> str:
    """`EUR 12,500.00`: the code first and integer arithmetic only, so no amount is ever rounded.

    Uses the currency's own minor unit (JPY none, KWD three, CLF four), which a fixed two
    decimals would get wrong.
    """
    digits = money.exponent
    sign = "-" if money.amount < 0 else ""
    whole, minor = divmod(abs(money.amount), 10**digits)
    text = f"{whole:,}" + (f".{minor:0{digits}d}" if digits else "")
    return f"{money.currency} {sign}{text}"


def zero(currency: str) -> Money:
    return Money(0, currency)


def total(items: Iterable[Money], currency: str) -> Money:
    """Sum of amounts that must all be in `currency` (an empty sum is zero, not an error)."""
    result = zero(currency)
    for item in items:
        result = result + item
    return result


def parse_money(value: object, field: str, *, positive: bool = True) -> Money:
    """Read the contract's money shape; refuse floats, strings, unknown keys and negative amounts.

    `positive` (the default) also refuses zero: a price, budget or payment of nothing is a mistake.
    """
    if not isinstance(value, Mapping):
        raise InvalidError(
            f'{field}: money is {{"amount": INTEGER_MINOR_UNITS, "currency": "ISO 4217"}}',
            field=field,
        )
    extra = sorted(set(value) - {"amount", "currency"})
    if extra:
        raise InvalidError(f"{field}: unknown keys {', '.join(map(str, extra))}", field=field)
    amount, currency = value.get("amount"), value.get("currency")
    if type(amount) is not int:
        raise InvalidError(
            f"{field}.amount: an integer number of minor units (e.g. 1050 for 10.50 EUR), "
            f"not {type(amount).__name__}",
            field=field,
        )
    if not isinstance(currency, str):
        raise InvalidError(f"{field}.currency: an ISO 4217 code such as EUR", field=field)
    try:
        money = Money(amount, currency)
    except InvalidError as error:
        raise InvalidError(f"{field}: {error.detail}", field=field) from None
    if amount < 0 or (positive and amount == 0):
        raise InvalidError(f"{field}.amount: must be more than zero", field=field)
    return money


def check_basis_points(basis_points: int) -> int:
    """A fee rate: an integer from 0 to 10 000 basis points (0 % to 100 %)."""
    if type(basis_points) is not int or not 0 <= basis_points <= BASIS_POINTS:
        raise InvalidError("fee: an integer from 0 to 10000 basis points", field="fee")
    return basis_points


def round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, ties to the even one."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1):
        quotient += 1
    return sign * quotient


def fee(amount: Money, basis_points: int) -> Money:
    """The fee of `basis_points` on `amount`, rounded half-even to a whole minor unit."""
    rate = check_basis_points(basis_points)
    return Money(round_half_even(amount.amount * rate, BASIS_POINTS), amount.currency)


def allocate(amount: Money, weights: Sequence[int]) -> tuple[Money, ...]:
    """Split `amount` in proportion to non-negative integer `weights`; the parts sum to `amount`.

    Largest remainder: each part gets its floor, then the minor units left over go one each to
    the parts with the largest remainders (earlier parts first on a tie), so the split is
    deterministic on every node.
    """
    if not weights or any(type(w) is not int or w < 0 for w in weights) or sum(weights) == 0:
        raise InvalidError("allocate: non-negative integer weights, not all zero", field="weights")
    if amount.amount < 0:
        return tuple(-part for part in allocate(-amount, weights))
    whole = sum(weights)
    shares = [divmod(amount.amount * w, whole) for w in weights]
    left = amount.amount - sum(q for q, _ in shares)
    order = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    bonus = set(order[:left])
    return tuple(
        Money(q + (1 if i in bonus else 0), amount.currency) for i, (q, _) in enumerate(shares)
    )
