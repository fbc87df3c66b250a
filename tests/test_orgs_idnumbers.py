"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100): every way a
number can be wrong is refused with its own message by the service, the member form, the
member import (naming row and column) and the API; valid numbers pass."""

import datetime as dt

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shixiao.core.errors import ValidationError
from shixiao.orgs import services as org
from shixiao.orgs.models import HandlingUnit, Person
from shixiao.orgs.validators import id_check_character, validate_credit_code, validate_id_number

from .test_api_writes import API, api_as, post
from .test_sheets_import import preview
from .test_web_forms import enrol_data


def with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


VALID = with_check("11010119900309135")  # a man born 1990-03-09 in 东城区, Beijing
WRONG = {
    "check_digit": VALID[:17] + ("0" if VALID[17] != "0" else "1"),
    "birth_date": with_check("11010119991345123"),  # 1999-13-45
    "future_birth": with_check("11010120990101123"),
    "region": with_check("99010119900309123"),
    "format": "1101011990030912",
}
MESSAGES = {
    "check_digit": "check digit",
    "birth_date": "not a possible birth date",
    "future_birth": "not a possible birth date",
    "region": "not a region code",
    "format": "18 characters",
}


def field_message(exc: ValidationError, field: str) -> str:
    return " ".join(str(m) for m in exc.message_dict[field])


# The service (create_person → Person.clean) --------------------------------------------------

@pytest.mark.parametrize("kind", sorted(WRONG))
def test_service_refuses_each_kind_of_wrong_id_number_with_its_own_message(world, kind):
    with pytest.raises(ValidationError) as exc:
        org.create_person(world.office, name="赵六", id_number=WRONG[kind])
    assert MESSAGES[kind] in field_message(exc.value, "id_number")
    others = {MESSAGES[k] for k in MESSAGES} - {MESSAGES[kind]}
    assert not any(m in field_message(exc.value, "id_number") for m in others)
    assert not Person.objects.filter(name="赵六").exists()


def test_wrong_check_digit_message_names_the_expected_character(world):
    with pytest.raises(ValidationError) as exc:
        org.create_person(world.office, name="赵六", id_number=WRONG["check_digit"])
    assert f"should be {VALID[17]}" in field_message(exc.value, "id_number")


def test_id_number_must_agree_with_the_birth_date_given(world):
    with pytest.raises(ValidationError) as exc:
        org.create_person(world.office, name="赵六", id_number=VALID,
                          birth_date=dt.date(1990, 3, 7))
    message = field_message(exc.value, "id_number")
    assert "1990-03-09" in message and "1990-03-07" in message


def test_id_number_must_agree_with_the_gender_given(world):
    with pytest.raises(ValidationError) as exc:
        org.create_person(world.office, name="赵六", id_number=VALID, gender="F")
    assert "gender" in field_message(exc.value, "id_number")


def test_updating_a_person_checks_the_id_number_against_the_new_birth_date(world):
    with pytest.raises(ValidationError) as exc:
        org.update_person(world.admin, world.person1, birth_date=dt.date(1991, 1, 1))
    assert "1991-01-01" in field_message(exc.value, "id_number")


def test_valid_id_number_agreeing_with_birth_date_and_gender_is_saved_normalised(world):
    female = with_check("11010119920101124")
    assert female.endswith("X")
    person = org.create_person(world.office, name="赵六", id_number=female[:-1] + "x",
                               birth_date=dt.date(1992, 1, 1), gender="F")
    assert Person.objects.get(pk=person.pk).id_number == female


def test_region_created_after_the_birth_year_is_accepted(world):
    """Numbers were issued from 1984 with the code current then: 440303 (罗湖区, 1983-)."""
    org.create_person(world.office, name="赵六", id_number=with_check("44030319751201987"))


# The member form --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["check_digit", "birth_date", "region"])
def test_member_form_shows_each_id_number_mistake_on_its_field(world, as_user, settings, kind):
    settings.LANGUAGE_CODE = "en"
    before = Person.objects.count()
    response = as_user(world.office).post("/members/new/", enrol_data(
        world, id_number=WRONG[kind], birth_date="", gender=""))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"id_number"}
    assert MESSAGES[kind] in " ".join(errors["id_number"])
    assert Person.objects.count() == before


def test_member_form_refuses_an_id_number_of_another_birth_date_and_gender(world, as_user,
                                                                          settings):
    settings.LANGUAGE_CODE = "en"
    response = as_user(world.office).post("/members/new/", enrol_data(
        world, id_number=VALID, birth_date="1980-05-04", gender="M"))
    assert response.status_code == 400
    assert "1980-05-04" in " ".join(response.context["form"].errors["id_number"])
    response = as_user(world.office).post("/members/new/", enrol_data(
        world, id_number=VALID, birth_date="1990-03-09", gender="F"))
    assert "gender" in " ".join(response.context["form"].errors["id_number"])


def test_member_form_message_is_chinese_on_a_chinese_page(world, as_user):
    response = as_user(world.office).post("/members/new/", enrol_data(
        world, id_number=WRONG["check_digit"], birth_date="", gender=""))
    assert "校验码" in " ".join(response.context["form"].errors["id_number"])


# The member import ---------------------------------------------------------------------------

def test_member_import_names_row_and_column_for_each_kind_of_wrong_id_number(world, as_user,
                                                                             settings):
    settings.LANGUAGE_CODE = "en"
    kinds = ["check_digit", "birth_date", "region", "format"]
    rows = [{"姓名": f"新委员{i}", "身份证号": WRONG[kind], "界别": "经济界",
             "开始日期": dt.date(2023, 1, 1)} for i, kind in enumerate(kinds)]
    rows.append({"姓名": "钱七", "性别": "女", "身份证号": VALID, "界别": "经济界",
                 "开始日期": dt.date(2023, 1, 1)})
    client = as_user(world.office)
    batch = preview(client, "members", rows)
    by_row = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    for i, kind in enumerate(kinds):
        assert MESSAGES[kind] in by_row[(i + 2, "身份证号")], (kind, by_row)
    assert "gender" in by_row[(6, "身份证号")]
    assert not Person.objects.filter(name__startswith="新委员").exists()


def test_member_import_accepts_a_valid_id_number(world, as_user, settings):
    settings.LANGUAGE_CODE = "en"
    batch = preview(as_user(world.office), "members", [
        {"姓名": "钱七", "性别": "男", "身份证号": VALID, "界别": "经济界",
         "开始日期": dt.date(2023, 1, 1)}])
    assert batch.errors == []


# The API -------------------------------------------------------------------------------------

def test_api_refuses_a_wrong_check_digit_naming_the_field(world):
    response = post(api_as(world.office), f"{API}/people",
                    {"name": "赵六", "id_number": WRONG["check_digit"]})
    assert response.status_code == 422
    assert "id_number" in response.content.decode()
    assert not Person.objects.filter(name="赵六").exists()


# Property: the check character catches every single-digit mistake ----------------------------

REGIONS = ["110101", "320102", "440303", "510104", "650102"]
first17s = st.builds(
    lambda region, born, order: f"{region}{born:%Y%m%d}{order:03d}",
    st.sampled_from(REGIONS), st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999))


@given(first17s)
@hypothesis.settings(deadline=None)  # the first call loads stdnum's region table
def test_numbers_built_with_the_right_check_character_pass(first17):
    validate_id_number(with_check(first17))


@given(first17s, st.integers(0, 17), st.integers(0, 1000))
@hypothesis.settings(max_examples=300, deadline=None)
def test_any_single_character_change_is_refused(first17, position, shift):
    number = with_check(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    shift = shift % (len(alphabet) - 1) + 1
    changed_char = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    changed = number[:position] + changed_char + number[position + 1:]
    assert changed != number
    with pytest.raises(ValidationError):
        validate_id_number(changed)


# Unified social credit codes of handling units -----------------------------------------------

CREDIT_CODE = "91110000600037341L"


@pytest.mark.parametrize(("code", "message"), [
    ("91110000600037341A", "check character"),
    ("9111000060003734", "18 characters"),
    ("9111000060003734IL", "capital letters"),
])
def test_handling_unit_with_a_wrong_credit_code_is_refused(world, code, message):
    with pytest.raises(ValidationError) as exc:
        org.create_handling_unit(world.admin, committee=world.committee, name="市民政局",
                                 credit_code=code)
    assert message in field_message(exc.value, "credit_code")
    assert not HandlingUnit.objects.filter(name="市民政局").exists()


def test_handling_unit_keeps_a_valid_credit_code_and_the_api_shows_it(world):
    unit = org.create_handling_unit(world.admin, committee=world.committee, name="市民政局",
                                    credit_code=CREDIT_CODE.lower())
    assert unit.credit_code == CREDIT_CODE
    response = api_as(world.office).get(f"{API}/handling-units/{unit.pk}")
    assert response.json()["credit_code"] == CREDIT_CODE


def test_credit_code_validator_accepts_only_gb_32100_codes():
    validate_credit_code(CREDIT_CODE)
    with pytest.raises(ValidationError):
        validate_credit_code(CREDIT_CODE[:-1] + "M")
