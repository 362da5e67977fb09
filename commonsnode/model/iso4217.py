"""ISO 4217 currency codes and money in integer minor units (never floats)."""

from __future__ import annotations

from dataclasses import dataclass

from commonsnode.errors import InvalidError

# The active ISO 4217 alphabetic codes (list one, 2024), funds and metals left out.
_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
CURRENCIES = frozenset(_CODES.split())
# Amounts above this are typos or attacks (10^15 minor units is ten trillion euros).
MAX_AMOUNT = 10**15


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in the currency's minor units (cents), so sums never round."""

    amount: int
    currency: str


def check_money(value: object, field: str) -> Money:
    """`{"amount": INTEGER_MINOR_UNITS, "currency": "ISO 4217"}` → Money, or InvalidError."""
    if isinstance(value, Money):
        value = {"amount": value.amount, "currency": value.currency}
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        raise InvalidError(
            f'{field}: {{"amount": integer minor units, "currency": ISO 4217 code}}', field=field
        )
    amount, currency = value["amount"], value["currency"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidError(f"{field}.amount: an integer in minor units (cents)", field=field)
    if not 0 <= amount <= MAX_AMOUNT:
        raise InvalidError(f"{field}.amount: between 0 and {MAX_AMOUNT}", field=field)
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise InvalidError(f"{field}.currency: an ISO 4217 code such as EUR", field=field)
    return Money(amount, currency)


# Currencies whose minor unit is not a hundredth (ISO 4217 "E" column); the rest have 2.
_NO_MINOR = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THOUSANDTHS = "BHD IQD JOD KWD LYD OMR TND"
_MINOR_DIGITS = {**dict.fromkeys(_NO_MINOR.split(), 0), **dict.fromkeys(_THOUSANDTHS.split(), 3)}


def format_money(money: Money) -> str:
    """`EUR 12,500.00`: integer arithmetic only, so no amount is ever rounded."""
    digits = _MINOR_DIGITS.get(money.currency, 2)
    whole, minor = divmod(money.amount, 10**digits)
    text = f"{whole:,}" + (f".{minor:0{digits}d}" if digits else "")
    return f"{money.currency} {text}"
