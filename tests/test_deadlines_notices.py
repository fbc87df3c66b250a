"""A year's holiday notice entered in the browser: national (shared by every committee) and
per committee; the deadlines it changes; who may enter or correct it; the warning on every
page that shows a deadline in a year without a notice; and the shipped 2024–2026 data
checked against the `holidays` package."""

import datetime as dt

import holidays as holidays_package
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError
from shixiao.deadlines import services as dl
from shixiao.deadlines.models import Holiday, NationalYear
from shixiao.deadlines.national import national_calendar_data, parse

from . import proposals_kit as kit

D = dt.date
# A notice for 2027 shaped like the real ones: Spring Festival (7 February 2027 is 春节;
# the break and its make-up Sunday here are an example, not the actual notice).
SPRING_2027 = [("春节", D(2027, 2, 6), D(2027, 2, 13))]
MAKE_UP_2027 = [("春节", D(2027, 2, 14))]
NATIONAL_URL = "/deadlines/national/"


def enter_2027(actor, **changes):
    values = {"year": 2027, "notice": "国务院办公厅关于2027年部分节假日安排的通知",
              "holidays": SPRING_2027, "workdays": MAKE_UP_2027, "reason": "通知已发布"}
    return dl.set_national_year(actor, **(values | changes))


def committee_year_url(w, committee=None):
    return f"/deadlines/committees/{(committee or w.committee).pk}/year/"


@pytest.fixture
def no_shipped_data(monkeypatch):
    """Pretend the data file covers no year, so the test does not depend on today's date."""
    monkeypatch.setattr(dl, "national_calendar_data", lambda: parse("years: {}"))


# The calendar --------------------------------------------------------------------------------

def test_2027_without_a_notice_counts_weekends_only(world):
    # 5 working days after Friday 5 February 2027: 8–12 February.
    assert dl.due_date(world.committee, "proposal_objection", D(2027, 2, 5)) == D(2027, 2, 12)
    assert dl.years_without_notice([2026, 2027]) == [2027]


def test_entering_the_national_notice_moves_a_deadline_across_the_holiday(world):
    enter_2027(world.office)
    # Off 6–13 February, Sunday 14 worked: 14, 15, 16, 17, 18 February.
    assert dl.due_date(world.committee, "proposal_objection", D(2027, 2, 5)) == D(2027, 2, 18)
    assert dl.due_date(world.other.committee, "proposal_objection",
                       D(2027, 2, 5)) == D(2027, 2, 18)
    assert dl.years_without_notice([2026, 2027]) == []


def test_a_committees_local_notice_changes_its_deadlines_only(world):
    enter_2027(world.office)
    dl.set_committee_year(world.office, world.committee, year=2027,
                          holidays=[("地方节日", D(2027, 2, 15), D(2027, 2, 16))],
                          workdays=[("春节值班", D(2027, 2, 8))], reason="市政府通知")
    # 8 (worked locally), 14, 17, 18, 19 February.
    assert dl.due_date(world.committee, "proposal_objection", D(2027, 2, 5)) == D(2027, 2, 19)
    assert dl.due_date(world.other.committee, "proposal_objection",
                       D(2027, 2, 5)) == D(2027, 2, 18)


def test_the_shipped_file_still_serves_the_years_it_covers(world):
    enter_2027(world.office)
    data = dl.national_data()
    assert D(2026, 2, 16) in data.holidays  # 春节 2026 from the file
    assert D(2027, 2, 8) in data.holidays and D(2027, 2, 14) in data.workdays


def test_a_superusers_correction_of_a_shipped_year_replaces_the_file_for_that_year(world):
    dl.set_national_year(world.admin, year=2026, notice="更正", reason="勘误",
                         holidays=[("元旦", D(2026, 1, 1), D(2026, 1, 2))], workdays=[])
    data = dl.national_data()
    assert D(2026, 1, 2) in data.holidays and D(2026, 2, 16) not in data.holidays
    assert D(2025, 1, 28) in data.holidays  # other years untouched


def test_replacing_a_committees_year_audits_each_date_with_the_reason(world):
    dl.set_committee_year(world.office, world.committee, year=2027, reason="市政府通知",
                          holidays=[("地方节日", D(2027, 3, 1), D(2027, 3, 2))], workdays=[])
    dl.set_committee_year(world.office, world.committee, year=2027, reason="更正",
                          holidays=[("地方节日", D(2027, 3, 2), D(2027, 3, 2))], workdays=[])
    assert list(Holiday.objects.values_list("date", flat=True)) == [D(2027, 3, 2)]
    records = AuditRecord.objects.filter(object_type="deadlines.holiday")
    assert sorted(records.values_list("action", "reason")) == [
        ("create", "市政府通知"), ("create", "市政府通知"), ("delete", "更正")]


# Field errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"workdays": [("春节", D(2027, 2, 8))]}, "workdays", "both as a day off"),
    ({"holidays": [("元旦", D(2026, 12, 31), D(2027, 1, 1))]}, "holidays", "is not in 2027"),
    ({"workdays": [("春节", D(2028, 2, 14))]}, "workdays", "is not in 2027"),
    ({"workdays": [("春节", D(2027, 2, 15))]}, "workdays", "is a weekday"),
    ({"holidays": [("春节", D(2027, 2, 13), D(2027, 2, 6))]}, "holidays", "before it starts"),
    ({"holidays": SPRING_2027 + [("元宵", D(2027, 2, 13), D(2027, 2, 13))]}, "holidays",
     "listed twice"),
    ({"holidays": []}, "holidays", "List the days off"),
    ({"notice": " "}, "notice", "Cite the notice"),
    ({"reason": ""}, "reason", "Say why"),
    ({"year": 1999}, "year", "Enter a year"),
])
def test_a_bad_notice_is_refused_naming_the_field_and_nothing_is_saved(world, changes, field,
                                                                       words):
    with pytest.raises(ValidationError) as exc:
        enter_2027(world.office, **changes)
    assert words in " ".join(exc.value.message_dict[field])
    assert not NationalYear.objects.exists()
    assert not AuditRecord.objects.filter(object_type="deadlines.nationalyear").exists()


# Who may write -------------------------------------------------------------------------------

def test_office_staff_enter_a_year_without_a_notice_audited_with_the_reason(world):
    row = enter_2027(world.office_other)  # any committee's office: the calendar is shared
    record = AuditRecord.objects.get(object_type="deadlines.nationalyear")
    assert (record.action, record.reason, record.user) == ("create", "通知已发布",
                                                           world.office_other)
    assert row.days[0] == {"date": "2027-02-06", "kind": "holiday", "name": "春节"}


def test_office_staff_cannot_change_a_year_that_has_a_notice(world):
    enter_2027(world.office)
    with pytest.raises(PermissionDenied):
        enter_2027(world.office, holidays=SPRING_2027[:1], reason="改")
    with pytest.raises(PermissionDenied):  # shipped in the data file
        enter_2027(world.office, year=2026, holidays=[("元旦", D(2026, 1, 1), D(2026, 1, 1))],
                   workdays=[])
    assert NationalYear.objects.get().version == 1


def test_a_superuser_corrects_an_entered_year_audited_as_an_update(world):
    row = enter_2027(world.office)
    enter_2027(world.admin, workdays=[], reason="更正：无调休", version=row.version)
    row.refresh_from_db()
    assert all(d["kind"] == "holiday" for d in row.days) and row.version == 2
    record = AuditRecord.objects.filter(object_type="deadlines.nationalyear").order_by("pk").last()
    assert (record.action, record.reason) == ("update", "更正：无调休")


def test_two_offices_entering_the_same_year_at_once_get_a_conflict_not_an_error(world,
                                                                                monkeypatch):
    def other_office_saves_first(actor, year):
        NationalYear.objects.create(year=year, notice="先录入的", days=[])
        return True

    monkeypatch.setattr(dl, "national_year_is_open_to", other_office_saves_first)
    with pytest.raises(ConflictError):
        enter_2027(world.office)
    assert not AuditRecord.objects.filter(object_type="deadlines.nationalyear").exists()


@pytest.mark.parametrize("attr", ["member1", "unit1_user", "leader", "sc1_staff", "auditor"])
def test_only_the_office_enters_notices(world, attr):
    user = getattr(world, attr)
    with pytest.raises(PermissionDenied):
        enter_2027(user)
    with pytest.raises(PermissionDenied):
        dl.set_committee_year(user, world.committee, year=2027, holidays=SPRING_2027,
                              workdays=[], reason="x")
    assert not NationalYear.objects.exists() and not Holiday.objects.exists()


def test_another_committees_office_cannot_enter_this_committees_local_dates(world):
    with pytest.raises((PermissionDenied, Http404)):
        dl.set_committee_year(world.office_other, world.committee, year=2027,
                              holidays=SPRING_2027, workdays=[], reason="x")
    assert not Holiday.objects.exists()


# The pages ----------------------------------------------------------------------------------

NATIONAL_POST = {"year": "2027", "notice": "国务院办公厅关于2027年部分节假日安排的通知",
                 "holidays": "春节 2027-02-06 至 2027-02-13\n", "workdays": "春节 2027-2-14",
                 "reason": "通知已发布", "version": "0"}


def test_the_office_enters_the_national_notice_in_the_browser(world, as_user):
    client = as_user(world.office)
    assert client.get(f"{NATIONAL_URL}?year=2027").status_code == 200
    response = client.post(NATIONAL_URL, NATIONAL_POST)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert dl.due_date(world.committee, "proposal_objection", D(2027, 2, 5)) == D(2027, 2, 18)
    # Read back as the notice writes it, for an administrator's correction.
    form = as_user(world.admin).get(f"{NATIONAL_URL}?year=2027").context["form"]
    assert form.initial["holidays"] == "春节 2027-02-06 至 2027-02-13"
    assert form.initial["workdays"] == "春节 2027-02-14"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"workdays": "春节 2027-02-08"}, "workdays", "两者都|both as a day off"),
    ({"holidays": "元旦 2028-01-01"}, "holidays", "2028-01-01"),
    ({"holidays": "春节 2027-02-30"}, "holidays", "Line 1"),
    ({"holidays": "春节\n国庆 2027-10-01 至 2027-10-07"}, "holidays", "Line 1"),
    ({"reason": ""}, "reason", ""),
])
def test_a_bad_national_form_is_400_with_the_error_on_the_field(world, as_user, settings,
                                                                changes, field, words):
    settings.LANGUAGE_CODE = "en"
    response = as_user(world.office).post(NATIONAL_URL, NATIONAL_POST | changes)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert any(w in errors for w in words.split("|")), errors
    assert not NationalYear.objects.exists()


def test_the_national_form_says_only_an_administrator_corrects_a_year_with_a_notice(
        world, as_user):
    response = as_user(world.office).get(f"{NATIONAL_URL}?year=2026")
    assert response.status_code == 200 and not response.context["can_write"]
    assert as_user(world.office).post(NATIONAL_URL, NATIONAL_POST | {
        "year": "2026", "holidays": "元旦 2026-01-01", "workdays": ""}).status_code == 403


@pytest.mark.parametrize("attr", ["member1", "unit1_user", "leader", "sc1_staff"])
def test_readers_cannot_open_the_notice_forms(world, as_user, attr):
    client = as_user(getattr(world, attr))
    assert client.get(NATIONAL_URL).status_code == 403
    assert client.post(NATIONAL_URL, NATIONAL_POST).status_code == 403
    assert client.post(committee_year_url(world), NATIONAL_POST).status_code == 403
    assert not NationalYear.objects.exists()


def test_another_committees_office_gets_404_on_the_local_form(world, as_user):
    response = as_user(world.office_other).post(committee_year_url(world), NATIONAL_POST)
    assert response.status_code == 404
    assert not Holiday.objects.exists()


def test_the_office_enters_its_local_dates_in_the_browser(world, as_user):
    response = as_user(world.office).post(committee_year_url(world), {
        "year": "2027", "holidays": "地方节日 2027-03-01", "workdays": "", "reason": "市政府通知"})
    assert response.status_code == 302
    assert Holiday.objects.get().date == D(2027, 3, 1)


# The warning on every page that shows a deadline --------------------------------------------

def _pages(w):
    p = kit.assigned(w)  # reply due in 2025, a year the test pretends has no notice
    return p, [(w.office, f"/proposals/{p.pk}/"), (w.office, "/proposals/"),
               (w.unit1_user, "/proposals/unit/"), (w.member1, "/me/"),
               (w.member1, "/me/work/"), (w.office, "/deadlines/")]


WARNING = "no-holiday-notice"


def test_every_deadline_page_warns_of_a_year_without_a_notice_until_it_is_entered(
        world, as_user, no_shipped_data):
    p, pages = _pages(world)
    for user, url in pages:
        html = as_user(user).get(url).content.decode()
        assert WARNING in html or "count weekends only" in html or "只计周末" in html, url
    assert str(p.reply_due.year) in as_user(world.office).get(
        f"/proposals/{p.pk}/").content.decode()
    for year in sorted({p.reply_due.year, timezone.localdate().year,
                        timezone.localdate().year + 1}):
        dl.set_national_year(world.office, year=year, notice=f"{year}年通知", reason="x",
                             holidays=[("元旦", D(year, 1, 1), D(year, 1, 1))], workdays=[])
    for user, url in pages:
        html = as_user(user).get(url).content.decode()
        assert WARNING not in html, url


def test_the_warning_names_the_year_and_links_the_office_to_the_form(world, as_user,
                                                                     no_shipped_data):
    p, _ = _pages(world)
    html = as_user(world.office).get(f"/proposals/{p.pk}/").content.decode()
    assert WARNING in html and str(p.reply_due.year) in html and "/deadlines/#national" in html
    html = as_user(world.member1).get("/me/").content.decode()
    assert WARNING in html and "/deadlines/#national" not in html


# The shipped data against a maintained package -----------------------------------------------

@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_shipped_national_data_agrees_with_the_holidays_package(year):
    """Weekday days off and make-up working days, date for date. (The file also lists the
    weekend days inside a break, which change nothing; the package lists substitutes.)"""
    data = national_calendar_data()
    package = holidays_package.China(years=year)
    assert {d for d in data.holidays if d.year == year and d.weekday() < 5} == {
        d for d in package if d.weekday() < 5}
    assert {d for d in data.workdays if d.year == year} == {
        d for d in package.weekend_workdays if d.year == year}
