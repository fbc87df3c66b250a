"""Checks of the identifiers people and units are registered with.

Resident ID numbers (居民身份证号码) follow GB 11643-1999: a six-digit region code, the
birth date as YYYYMMDD, a three-digit order code whose last digit is odd for men and even
for women, and an ISO 7064 MOD 11-2 check character. Unified social credit codes
(统一社会信用代码) follow GB 32100-2015. The arithmetic and the region table come from
python-stdnum (`stdnum.cn.ric`, `stdnum.cn.uscc`); this module only turns each way a number
can be wrong into its own message, so the person typing it knows what to look at.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc

from shixiao.core.choices import Gender

#: Resident ID numbers were first issued in 1984; nobody holding one was born before this.
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return ric.calc_check_digit(first17 + "0")


def region_is_known(code: str) -> bool:
    """Whether a six-digit administrative division code names a county-level region.

    stdnum's own `ric.validate` also requires the county to have existed in the birth year,
    but numbers were issued from 1984 on with the code current at issue, so a person born in
    1975 rightly carries a code created in 1983 (Shenzhen's districts, for example). Only a
    code that never named a county is refused."""
    return any("county" in props for _part, props in numdb.get("cn/loc").info(code))


def id_birth_date(number: str) -> dt.date | None:
    """The birth date a well-formed ID number encodes, or None if it is no calendar date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """Gender.MALE or Gender.FEMALE, from the parity of the order code's last digit."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def normalise_id_number(value: str) -> str:
    """Without spaces, with a capital X, as people type it from the card."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_id_number(number: str, *, birth_date: dt.date | None = None,
                       gender: str = "", today: dt.date | None = None) -> None:
    """Raise ValidationError (with a code per kind of mistake) unless `number` is a valid
    resident ID number agreeing with the birth date and gender given, if any."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="format")
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit (last character) does not match the other 17 digits: it "
              "should be %(expected)s. One of the digits is probably mistyped."),
            code="check_digit", params={"expected": expected})
    encoded = id_birth_date(number)
    today = today or timezone.localdate()
    if encoded is None or not EARLIEST_BIRTH <= encoded <= today:
        raise ValidationError(
            _("Characters 7–14 should be the birth date (YYYYMMDD), but %(digits)s is not a "
              "possible birth date."), code="birth_date", params={"digits": number[6:14]})
    if not region_is_known(number[:6]):
        raise ValidationError(
            _("The first six digits, %(region)s, are not a region code of the national "
              "administrative divisions."), code="region", params={"region": number[:6]})
    if birth_date is not None and birth_date != encoded:
        raise ValidationError(
            _("The ID number gives the birth date %(encoded)s, but the date of birth entered "
              "is %(given)s."), code="birth_date_mismatch",
            params={"encoded": encoded.isoformat(), "given": birth_date.isoformat()})
    if gender and gender != id_gender(number):
        raise ValidationError(
            _("The 17th digit of the ID number gives the gender %(encoded)s, but the gender "
              "entered is %(given)s."), code="gender_mismatch",
            params={"encoded": Gender(id_gender(number)).label, "given": Gender(gender).label})


def validate_credit_code(code: str) -> None:
    """Raise ValidationError unless `code` is a valid unified social credit code."""
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s."),
            code="length", params={"count": len(code)})
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        raise ValidationError(
            _("The check character (last character) does not match the other 17: it should "
              "be %(expected)s. One of them is probably mistyped."), code="check_digit",
            params={"expected": uscc.calc_check_digit(code)}) from None
    except uscc.ValidationError:
        raise ValidationError(
            _("A unified social credit code has 8 digits, then 10 digits or capital letters "
              "other than I, O, S, V and Z."), code="format") from None
