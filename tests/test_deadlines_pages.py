"""The deadline settings page: who sees it, who changes it, and what a bad or stale form
gets back."""

import datetime as dt

import pytest

from shixiao.audit.models import AuditRecord
from shixiao.deadlines import services as dl
from shixiao.deadlines.models import DeadlineRule, Holiday

INDEX = "/deadlines/"
RULE_POST = {"label": "", "amount": "2", "unit": "months", "extension_amount": "4",
             "extension_unit": "months", "remind_before": "10", "warn_before": "3",
             "version": "0"}


def text(response) -> str:
    return response.content.decode()


def rule_url(w, code="proposal_reply", committee=None):
    return f"/deadlines/committees/{(committee or w.committee).pk}/rules/{code}/"


def holiday_url(w, committee=None):
    return f"/deadlines/committees/{(committee or w.committee).pk}/holidays/"


# Reading --------------------------------------------------------------------------------------

@pytest.mark.parametrize("attr, status", [
    ("office", 200), ("leader", 200), ("member1", 200), ("auditor", 200), ("sc1_staff", 200),
    ("unit1_user", 403),
])
def test_who_may_open_the_page(world, as_user, attr, status):
    assert as_user(getattr(world, attr)).get(INDEX).status_code == status


def test_anonymous_users_are_sent_to_log_in(world, as_user):
    response = as_user(None).get(INDEX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_effective_rules_default_or_overridden(world, as_user):
    dl.set_rule(world.office, world.committee, "task", amount=20, unit="days",
                remind_before=5, warn_before=2, label="督办件办结")
    response = as_user(world.member1).get(INDEX)
    rows = {r["code"]: r for r in response.context["rules"]}
    assert rows["task"]["row"] is not None and rows["task"]["label"] == "督办件办结"
    assert rows["task"]["spec"].period.amount == 20
    assert rows["proposal_reply"]["row"] is None
    assert rows["proposal_reply"]["spec"].period.amount == 3
    html = text(response)
    assert "督办件办结" in html and "proposal_reply" in html


def test_the_page_shows_the_colour_legend_and_the_national_notices(world, as_user):
    html = text(as_user(world.leader).get(INDEX))
    for colour in ("blue", "yellow", "red"):
        assert f"deadline-{colour}" in html
    assert "国办发明电〔2025〕7号" in html


def test_readers_get_no_forms(world, as_user):
    dl.add_holiday(world.office, world.committee, date=dt.date(2025, 7, 2), kind="holiday",
                   name="建市纪念日")
    html = text(as_user(world.member1).get(INDEX))
    assert "建市纪念日" in html
    assert 'method="post" class="form"' not in html
    assert "/rules/proposal_reply/" not in html
    assert "/remove/" not in html


def test_the_office_gets_forms_to_change_rules_and_dates(world, as_user):
    html = text(as_user(world.office).get(INDEX))
    assert f'action="{holiday_url(world)}"' in html
    assert f'href="{rule_url(world)}"' in html
    assert "csrfmiddlewaretoken" in html


def test_another_committee_out_of_scope_is_404(world, as_user):
    url = f"{INDEX}?committee={world.committee.pk}"
    assert as_user(world.office_other).get(url).status_code == 404
    assert as_user(world.member_other).get(url).status_code == 404
    assert as_user(world.office).get(f"{INDEX}?committee=abc").status_code == 404


def test_the_auditor_chooses_among_all_committees(world, as_user):
    client = as_user(world.auditor)
    response = client.get(f"{INDEX}?committee={world.other.committee.pk}")
    assert response.status_code == 200
    assert response.context["committee"] == world.other.committee
    assert 'name="committee"' in text(response)


# Changing rules -------------------------------------------------------------------------------

def test_the_office_changes_a_rule(world, as_user):
    client = as_user(world.office)
    form = client.get(rule_url(world))
    assert form.status_code == 200
    assert form.context["form"].initial["amount"] == 3
    response = client.post(rule_url(world), RULE_POST)
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?committee={world.committee.pk}"
    row = DeadlineRule.objects.get()
    assert (row.amount, row.unit, row.extension_amount) == (2, "months", 4)
    assert AuditRecord.objects.filter(object_type="deadlines.deadlinerule").count() == 1


def test_a_bad_rule_is_400_with_the_error_on_the_field(world, as_user):
    response = as_user(world.office).post(rule_url(world), RULE_POST | {"warn_before": "20"})
    assert response.status_code == 400
    assert "warn_before" in response.context["form"].errors
    response = as_user(world.office).post(rule_url(world), RULE_POST | {"amount": "0"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert not DeadlineRule.objects.exists()


def test_a_stale_rule_form_is_409_and_nothing_changes(world, as_user):
    client = as_user(world.office)
    assert client.post(rule_url(world), RULE_POST).status_code == 302
    response = client.post(rule_url(world), RULE_POST | {"amount": "1"})
    assert response.status_code == 409
    assert DeadlineRule.objects.get().amount == 2


def test_a_rule_can_be_set_back_to_the_default(world, as_user):
    row = dl.set_rule(world.office, world.committee, "task", amount=20, unit="days",
                      remind_before=5, warn_before=2)
    response = as_user(world.office).post(rule_url(world, "task") + "reset/",
                                          {"version": str(row.version)})
    assert response.status_code == 302
    assert not DeadlineRule.objects.exists()


def test_an_unknown_rule_code_is_404(world, as_user):
    assert as_user(world.office).get(rule_url(world, "made_up")).status_code == 404


@pytest.mark.parametrize("attr", ["member1", "leader", "auditor", "sc1_staff"])
def test_readers_cannot_change_anything(world, as_user, attr):
    client = as_user(getattr(world, attr))
    h = dl.add_holiday(world.office, world.committee, date=dt.date(2025, 7, 3),
                       kind="holiday", name="b")
    assert client.get(rule_url(world)).status_code == 403
    assert client.post(rule_url(world), RULE_POST).status_code == 403
    assert client.post(holiday_url(world), {"date": "2025-07-02", "kind": "holiday",
                                            "name": "a"}).status_code == 403
    assert client.post(f"/deadlines/holidays/{h.pk}/remove/").status_code == 403
    assert not DeadlineRule.objects.exists() and Holiday.objects.count() == 1


def test_another_committees_office_gets_404_on_every_write(world, as_user):
    client = as_user(world.office_other)
    h = dl.add_holiday(world.office, world.committee, date=dt.date(2025, 7, 3),
                       kind="holiday", name="b")
    dl.set_rule(world.office, world.committee, "task", amount=20, unit="days",
                remind_before=5, warn_before=2)
    assert client.get(rule_url(world)).status_code == 404
    assert client.post(rule_url(world), RULE_POST).status_code == 404
    assert client.post(rule_url(world, "task") + "reset/").status_code == 404
    assert client.post(holiday_url(world), {"date": "2025-07-02", "kind": "holiday",
                                            "name": "a"}).status_code == 404
    assert client.post(f"/deadlines/holidays/{h.pk}/remove/").status_code == 404
    assert Holiday.objects.count() == 1 and DeadlineRule.objects.count() == 1


# Holidays -------------------------------------------------------------------------------------

def test_the_office_adds_and_removes_a_date(world, as_user):
    client = as_user(world.office)
    response = client.post(holiday_url(world), {"date": "2025-07-02", "kind": "holiday",
                                                "name": "建市纪念日"})
    assert response.status_code == 302
    h = Holiday.objects.get()
    assert not dl.calendar_for(world.committee).is_working_day(dt.date(2025, 7, 2))
    assert "建市纪念日" in text(client.get(INDEX))
    assert client.post(f"/deadlines/holidays/{h.pk}/remove/").status_code == 302
    assert not Holiday.objects.exists()
    assert AuditRecord.objects.filter(object_type="deadlines.holiday").count() == 2


def test_a_bad_date_is_400_with_errors_on_the_fields(world, as_user):
    client = as_user(world.office)
    dl.add_holiday(world.office, world.committee, date=dt.date(2025, 7, 2), kind="holiday",
                   name="a")
    response = client.post(holiday_url(world), {"date": "2025-07-02", "kind": "workday",
                                                "name": "b"})
    assert response.status_code == 400
    assert "date" in response.context["holiday_form"].errors
    response = client.post(holiday_url(world), {"date": "not a date", "kind": "x", "name": ""})
    assert response.status_code == 400
    assert set(response.context["holiday_form"].errors) >= {"date", "kind", "name"}
    assert Holiday.objects.count() == 1


def test_removing_needs_post(world, as_user):
    h = dl.add_holiday(world.office, world.committee, date=dt.date(2025, 7, 2),
                       kind="holiday", name="a")
    assert as_user(world.office).get(f"/deadlines/holidays/{h.pk}/remove/").status_code == 405
    assert Holiday.objects.exists()


def test_the_badge_tag_shows_words_and_colour():
    from django.template import Context, Template

    html = Template("{% load deadlines %}{% deadline_badge c d %}|{% deadline_badge '' %}").render(
        Context({"c": "red", "d": dt.date(2025, 10, 9)}))
    red, none = html.split("|")
    assert 'class="badge deadline-red"' in red and "2025-10-09" in red
    assert 'class="badge deadline-none"' in none
