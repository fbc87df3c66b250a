"""The ledger pages: a scoped, filtered list; the office's record form (400 with the field's
error when the services refuse); corrections and retractions from an entry's row."""

import datetime as dt

import pytest

from shixiao.audit.models import AuditRecord
from shixiao.ledger import services as ledger
from shixiao.ledger.models import Entry


def html(response) -> str:
    return response.content.decode()


def listed(response) -> list[int]:
    return [e.pk for e in response.context["page"]]


def commend(world, membership, day=5, **attrs):
    return ledger.record_entry(world.admin, membership, kind="commendation",
                               date=dt.date(2024, 3, day),
                               attrs={"level": "provincial", **attrs})


@pytest.fixture
def entries(world):
    return {"mine": commend(world, world.membership1, 5),
            "theirs": commend(world, world.membership2, 6),
            "other": commend(world, world.membership_other, 7)}


# List ---------------------------------------------------------------------------------------

def test_each_role_sees_only_the_entries_in_scope(world, as_user, entries):
    e = entries
    assert set(listed(as_user(world.office).get("/ledger/"))) == {e["mine"].pk, e["theirs"].pk}
    assert listed(as_user(world.sc1_staff).get("/ledger/")) == [e["mine"].pk]
    assert listed(as_user(world.member1).get("/ledger/")) == [e["mine"].pk]
    assert listed(as_user(world.office_other).get("/ledger/")) == [e["other"].pk]
    assert len(listed(as_user(world.auditor).get("/ledger/"))) == 3
    assert as_user(world.unit1_user).get("/ledger/").status_code == 403


def test_visitors_must_log_in(world, client):
    response = client.get("/ledger/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_filters(world, as_user, entries):
    client = as_user(world.office)
    attended = ledger.record_entry(world.office, world.membership2, kind="attendance",
                                   date=dt.date(2024, 5, 1),
                                   attrs={"meeting": "plenary", "state": "attended"})
    e = entries
    assert listed(client.get("/ledger/?q=张")) == [e["mine"].pk]
    assert listed(client.get("/ledger/?kind=attendance")) == [attended.pk]
    assert listed(client.get("/ledger/?date_from=2024-03-06&date_to=2024-04-30")) == [
        e["theirs"].pk]
    assert listed(client.get("/ledger/?source=none&kind=commendation")) == [
        e["theirs"].pk, e["mine"].pk]
    assert listed(client.get("/ledger/?source=sheets.importbatch")) == []
    fixed = ledger.correct_entry(world.office, e["mine"], reason="级别记错",
                                 attrs={"level": "national"})
    assert listed(client.get("/ledger/?status=superseded")) == [e["mine"].pk]
    assert e["mine"].pk not in listed(client.get("/ledger/?status=current"))
    assert fixed.pk in listed(client.get("/ledger/?status=current"))
    assert listed(client.get("/ledger/?date_from=not-a-date")) != [], "bad filters are ignored"


def test_list_is_paginated(world, as_user):
    for day in range(1, 28):
        for month in (1, 2):
            commend(world, world.membership1, day=1, title=f"{month}-{day}")
    page = as_user(world.office).get("/ledger/")
    assert len(listed(page)) == 50 and page.context["page"].paginator.count == 54
    assert len(listed(as_user(world.office).get("/ledger/?page=2"))) == 4


def test_office_sees_record_correct_and_export_links_leader_only_export(world, as_user,
                                                                        entries):
    page = html(as_user(world.office).get("/ledger/"))
    assert "/ledger/new/" in page and f"/ledger/{entries['mine'].pk}/correct/" in page
    assert 'id="export"' in page and "format=xlsx" in page
    page = html(as_user(world.leader).get("/ledger/"))
    assert "/ledger/new/" not in page and "/correct/" not in page and 'id="export"' in page
    assert 'id="export"' not in html(as_user(world.member1).get("/ledger/"))


# Record form --------------------------------------------------------------------------------

def test_choosing_a_kind_shows_its_attributes(world, as_user):
    page = html(as_user(world.office).get("/ledger/new/?kind=attendance"))
    assert 'name="attr_meeting"' in page and 'name="attr_state"' in page
    assert 'name="attr_level"' not in page
    assert 'name="attr_points"' in html(as_user(world.office).get("/ledger/new/?kind=manual"))


def test_office_records_an_entry(world, as_user):
    response = as_user(world.office).post("/ledger/new/", {
        "membership": world.membership1.pk, "kind": "attendance", "date": "2024-03-05",
        "attr_meeting": "plenary", "attr_state": "attended", "attr_half_days": "2",
        "reason": "纸质签到表"})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.attrs == {"meeting": "plenary", "state": "attended", "half_days": 2}
    assert entry.recorded_by == world.office and entry.reason == "纸质签到表"
    assert AuditRecord.objects.filter(object_type="ledger.entry",
                                      object_id=str(entry.pk)).exists()


def test_record_form_gives_400_with_the_fields_errors(world, as_user):
    client = as_user(world.office)
    response = client.post("/ledger/new/", {
        "membership": world.membership1.pk, "kind": "attendance", "date": "2024-03-05",
        "attr_meeting": "plenary", "attr_half_days": "two"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "attr_state" in form.errors and "attr_half_days" in form.errors
    response = client.post("/ledger/new/", {
        "membership": world.membership1.pk, "kind": "manual", "date": "2024-03-05",
        "attr_points": "2"})
    assert response.status_code == 400
    assert "evidence" in response.context["form"].errors
    response = client.post("/ledger/new/", {
        "membership": world.membership1.pk, "kind": "commendation", "date": "2024-03-05",
        "effective": "2024-03-01", "attr_level": "provincial"})
    assert response.status_code == 400
    assert "effective" in response.context["form"].errors
    assert not Entry.objects.exists()


def test_manual_points_need_evidence_and_who_vouched(world, as_user):
    response = as_user(world.office).post("/ledger/new/", {
        "membership": world.membership1.pk, "kind": "manual", "date": "2024-03-05",
        "attr_points": "1.5", "evidence": "市委表扬信", "vouched_by": "王主任"})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.attrs["points"] == 1.5 and entry.evidence == "市委表扬信"


def test_record_form_offers_only_members_in_scope(world, as_user):
    response = as_user(world.sc1_staff).post("/ledger/new/", {
        "membership": world.membership2.pk, "kind": "commendation", "date": "2024-03-05",
        "attr_level": "provincial"})
    assert response.status_code == 400
    assert "membership" in response.context["form"].errors
    assert not Entry.objects.exists()


@pytest.mark.parametrize("who", ["leader", "member1", "auditor"])
def test_roles_without_the_add_permission_get_403(world, as_user, who):
    client = as_user(getattr(world, who))
    assert client.get("/ledger/new/").status_code == 403
    assert client.post("/ledger/new/", {}).status_code == 403


# Corrections and retractions ----------------------------------------------------------------

def test_correcting_an_entry_supersedes_it(world, as_user, entries):
    client = as_user(world.office)
    url = f"/ledger/{entries['mine'].pk}/correct/"
    assert 'value="provincial" selected' in html(client.get(url))
    response = client.post(url, {"date": "2024-03-05", "attr_level": "national",
                                 "reason": "级别记错"})
    assert response.status_code == 302
    fixed = Entry.objects.get(supersedes=entries["mine"])
    assert fixed.attrs["level"] == "national" and fixed.reason == "级别记错"
    assert client.post(url, {"date": "2024-03-05", "attr_level": "county",
                             "reason": "again"}).status_code == 400


def test_a_correction_needs_a_reason(world, as_user, entries):
    response = as_user(world.office).post(f"/ledger/{entries['mine'].pk}/correct/", {
        "date": "2024-03-05", "attr_level": "national"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert not Entry.objects.filter(supersedes=entries["mine"]).exists()


def test_retracting_an_entry(world, as_user, entries):
    client = as_user(world.office)
    url = f"/ledger/{entries['mine'].pk}/void/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "重复录入"}).status_code == 302
    void = Entry.objects.get(supersedes=entries["mine"])
    assert void.kind == "void" and void.reason == "重复录入"
    assert client.post(url, {"reason": "again"}).status_code == 400
    assert client.post(f"/ledger/{void.pk}/void/", {"reason": "x"}).status_code == 400


def test_entries_out_of_scope_are_404(world, as_user, entries):
    client = as_user(world.sc1_staff)
    assert client.get(f"/ledger/{entries['theirs'].pk}/correct/").status_code == 404
    assert client.post(f"/ledger/{entries['theirs'].pk}/void/",
                       {"reason": "x"}).status_code == 404
    assert as_user(world.leader).post(f"/ledger/{entries['mine'].pk}/void/",
                                      {"reason": "x"}).status_code == 403
    assert Entry.objects.count() == 3
