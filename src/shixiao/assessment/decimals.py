"""Exact arithmetic for points: Decimal everywhere, rounding only where a rubric says so."""

import decimal
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)

ROUNDING_MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}

#: How the rest left by rounding each share is handled: `first` gives it to the first
#: share so the shares add up to the whole; `none` leaves every share rounded on its own.
REMAINDER_POLICIES = ("first", "none")


def to_decimal(value) -> Decimal | None:
    """Return the value as a finite Decimal, or None if it is not a number.

    Booleans are not numbers here: `points: yes` is a mistake, not 1.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Only reachable from callers outside the YAML loader; go through text, not binary.
        number = Decimal(repr(value))
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except decimal.InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


@dataclass(frozen=True)
class Rounding:
    """A rounding policy: decimal places, mode, and where the remainder of a split goes."""

    places: int = 2
    mode: str = "half_up"
    remainder: str = "first"

    def quantize(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUNDING_MODES[self.mode])


def split(whole: Decimal, parts: int, rounding: Rounding) -> list[Decimal]:
    """Split `whole` into `parts` equal shares rounded by the policy.

    With remainder `first` the first share absorbs whatever rounding left over, so the shares
    always add up to the whole exactly; with `none` every share is rounded independently.
    """
    if parts < 1:
        raise ValueError("a split needs at least one part")
    share = rounding.quantize(whole / parts)
    if rounding.remainder == "first" and abs(share) * (parts - 1) > abs(whole):
        # Rounding away from zero (0.1 / 2 -> 1 with no decimals) would hand the others more
        # than the whole and leave the first author a negative share; round toward zero.
        share = (whole / parts).quantize(Decimal(1).scaleb(-rounding.places),
                                         rounding=decimal.ROUND_DOWN)
    shares = [share] * parts
    if rounding.remainder == "first":
        shares[0] = whole - share * (parts - 1)
    return shares


def clamp(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    if high is not None and value > high:
        value = high
    if low is not None and value < low:
        value = low
    return value


def plain(value: Decimal) -> int | float:
    """A JSON-friendly number with the same digits as the Decimal (for output only)."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return float(str(normal))


def text(value: Decimal) -> str:
    """The Decimal without trailing zeros or exponent notation: 7.50 -> '7.5', 1E+2 -> '100'."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return str(int(normal))
    return format(normal, "f")
