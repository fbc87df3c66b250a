"""The audit display of every audited model, and the audit page's filters.

The models are enumerated, not listed, so a new model's records are covered the day it is
added. Each gets a create, an update and a delete record built the way `audit.snapshot`
stores them, with the awkward values old records hold: related records since deleted, a
choice since removed, many-to-many ids, JSON."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone, translation

from shixiao.audit import services as audit
from shixiao.audit.models import Action, AuditRecord
from shixiao.orgs import services as org
from shixiao.web.audit_display import describe_records, kind_label

GONE = 987654  # an id no related record has (any more)


def audited_models():
    """Every model of the project except the audit trail itself (unmanaged ones included:
    they have no table, which the display must survive)."""
    return [m for m in apps.get_models()
            if m.__module__.startswith("shixiao.") and m._meta.app_label != "audit"]


def fake_value(field, *, old: bool):
    if field.is_relation:
        return GONE
    if field.choices:
        values = [str(k) for k, _ in field.flatchoices]
        return "retired_code" if old else values[-1]
    if isinstance(field, models.BooleanField):
        return not old
    if isinstance(field, models.DateTimeField):
        return "2025-03-01T08:30:00Z"
    if isinstance(field, models.DateField):
        return "2025-03-01" if old else "2025-04-01"
    if isinstance(field, models.JSONField):
        return {"ref": "x"} if old else [1, 2]
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return 1 if old else 2
    return "old" if old else "new"


def fake_snapshot(model, *, old: bool) -> dict:
    data = {f.attname: fake_value(f, old=old) for f in model._meta.concrete_fields}
    data.update({f.name: [GONE] for f in model._meta.many_to_many})
    return data


def record_model(world, model) -> None:
    """A create, update and delete record of `model`, in the city's trail."""
    label = model._meta.label_lower
    old, new = fake_snapshot(model, old=True), fake_snapshot(model, old=False)
    for action, before, after in ((Action.CREATE, None, new), (Action.UPDATE, old, new),
                                  (Action.DELETE, old, None)):
        audit.record(world.office, action, object_type=label, object_id=str(GONE),
                     object_repr=f"{model.__name__} object ({GONE})",
                     committee_id=world.committee.pk, before=before, after=after)


@pytest.mark.parametrize("model", audited_models(), ids=lambda m: m._meta.label_lower)
def test_create_update_delete_of_every_audited_model_reads_in_chinese(world, model):
    record_model(world, model)
    label = model._meta.label_lower
    new = fake_snapshot(model, old=False)
    records = AuditRecord.objects.filter(object_type=label, object_id=str(GONE)).order_by("seq")
    with translation.override("zh-hans"):
        views = describe_records(records)
        kind = kind_label(label)
    assert len(views) == 3
    choice_fields = {f.attname: f for f in model._meta.concrete_fields
                     if f.choices and not f.is_relation}
    for view in views:
        assert view.object_type == kind != label
        assert view.object_name == f"#{GONE}", "never 'Model object (id)'"
        keys = set(view.record.changes) - {"id"}
        labels = {c.field for c in view.changes}
        assert not labels & keys, f"raw field names shown: {labels & keys}"
        assert len(view.changes) == len(keys)
        for change in view.changes:
            for value in (change.before, change.after):
                assert value and "retired_code" not in value or "已失效" in value
        if choice_fields and view.record.action == Action.UPDATE:
            shown_after = {c.after for c in view.changes}
            for f in choice_fields.values():
                with translation.override("zh-hans"):
                    assert str(dict((str(k), v) for k, v in f.flatchoices)[
                        new[f.attname]]) in shown_after


def test_every_audited_model_renders_on_the_audit_page(world, as_user):
    for model in audited_models():
        record_model(world, model)
    client = as_user(world.auditor)
    first = client.get("/audit/")
    for number in range(1, first.context["page"].paginator.num_pages + 1):
        response = client.get(f"/audit/?page={number}")
        assert response.status_code == 200
        shown = re.sub(r"<[^>]+>", " ", response.content.decode())
        assert " object (" not in shown
        assert not re.search(r"\b[a-z]+\.[a-z]+:\d+", shown)


def test_deleted_related_record_reads_as_deleted(world, as_user):
    sector = org.create_sector(world.office, committee=world.committee, name="临时界别")
    audit.record(world.office, Action.UPDATE, world.membership1, committee_id=world.committee.pk,
                 before={"sector_id": world.sector1.pk}, after={"sector_id": GONE})
    view = describe_records([AuditRecord.objects.latest("seq")])[0]
    assert [(c.before, c.after) for c in view.changes] == [
        ("经济界", f"#{GONE} (deleted)")]
    assert sector.pk


# Filters ------------------------------------------------------------------------------------

def seqs(response) -> list[int]:
    return [row.record.seq for row in response.context["records"]]


def test_filter_by_user_kind_object_and_action(world, as_user):
    org.update_membership(world.office, world.membership1, number="0042", reason="renumbered")
    client = as_user(world.auditor)
    mine = seqs(client.get("/audit/?user=office&kind=orgs.membership&action=update"))
    expected = list(AuditRecord.objects.filter(
        username="office", object_type="orgs.membership", action="update")
        .order_by("-seq").values_list("seq", flat=True))
    assert mine == expected and len(mine) == 1
    by_id = seqs(client.get(f"/audit/?kind=orgs.membership&object={world.membership1.pk}"))
    assert by_id and all(AuditRecord.objects.get(seq=s).object_id == str(world.membership1.pk)
                         for s in by_id)
    by_name = seqs(client.get("/audit/?object=李四"))
    assert by_name and all("李四" in AuditRecord.objects.get(seq=s).object_repr for s in by_name)


def test_filter_by_date_range(world, as_user):
    today = timezone.localdate()
    client = as_user(world.auditor)
    total = AuditRecord.objects.count()
    assert len(seqs(client.get(f"/audit/?start={today}&end={today}"))) == min(total, 50)
    tomorrow = today + dt.timedelta(days=1)
    assert seqs(client.get(f"/audit/?start={tomorrow}")) == []
    yesterday = today - dt.timedelta(days=1)
    assert seqs(client.get(f"/audit/?end={yesterday}")) == []


@pytest.mark.parametrize("query,field,message", [
    ("start=2025-03-10&end=2025-03-01", "end", "截止日期早于起始日期"),
    ("start=2025-13-45", "start", "输入一个有效的日期"),
    ("end=next+week", "end", "输入一个有效的日期"),
])
def test_bad_filter_input_is_a_field_error(world, as_user, query, field, message):
    response = as_user(world.auditor).get(f"/audit/?{query}")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()


def test_pages_keep_the_filters(world, as_user):
    for n in range(60):
        org.create_sector(world.office, committee=world.committee, name=f"界别{n}")
    response = as_user(world.auditor).get("/audit/?kind=orgs.sector&action=create")
    assert response.context["page"].paginator.num_pages == 2
    html = response.content.decode()
    link = re.search(r'<a href="([^"]+)" rel="next"', html)[1].replace("&amp;", "&")
    assert "kind=orgs.sector" in link and "action=create" in link and "page=2" in link
    second = as_user(world.auditor).get("/audit/" + link)
    assert {AuditRecord.objects.get(seq=s).object_type for s in seqs(second)} == {"orgs.sector"}


def test_filters_never_widen_the_scope(world, as_user):
    response = as_user(world.office_other).get(
        f"/audit/?kind=orgs.membership&object={world.membership1.pk}")
    assert seqs(response) == []
    kinds = dict(response.context["form"].fields["kind"].choices)
    others = set(AuditRecord.objects.filter(committee_id=world.other.committee.pk)
                 .values_list("object_type", flat=True))
    assert set(kinds) - {""} == others
    assert as_user(world.member1).get("/audit/?user=office").status_code == 403


def test_a_proposals_records_name_it_by_number_and_title(world, as_user):
    from .proposals_kit import registered

    p = registered(world)
    response = as_user(world.office).get(
        f"/audit/?kind=proposals.proposal&object={p.display_number}")
    rows = response.context["records"]
    assert rows and {r.record.object_id for r in rows} == {str(p.pk)}
    assert all(r.object_name == f"{p.display_number} {p.title}" for r in rows)
    assert all(r.object_type == "提案" for r in rows)


def _fixed_reasons_in_source() -> set[str]:
    """Reasons the services store as fixed English words: the literal last argument of the
    proposals' audit helpers, and `reason="..."` keywords."""
    from pathlib import Path

    import shixiao

    root = Path(shixiao.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'audit_(?:create|update|delete|event)\([^)]*"([^"]+)"\)', text))
        found |= set(re.findall(r'\breason="([A-Za-z][^"]*)"', text))
    return found


def test_every_fixed_reason_a_service_stores_reads_in_chinese(world):
    """A service that audits with a fixed English reason ("extension approved") must have
    it in the audit page's reason table, or the auditor reads English."""
    from types import SimpleNamespace

    from shixiao.web.audit_display import _reason

    reasons = _fixed_reasons_in_source()
    assert "extension approved" in reasons and "rubric registered" in reasons
    untranslated = []
    with translation.override("zh-hans"):
        for reason in sorted(reasons):
            shown = _reason(SimpleNamespace(reason=reason, object_type="proposals.assignment"))
            if shown == reason:
                untranslated.append(reason)
    assert untranslated == []


def test_a_ledger_entrys_attributes_and_reason_read_as_words_and_people_by_name(world):
    """Codes a ledger entry stores (`status: effect_unkept`, `role: co_signer`, a workflow's
    English reason) and a login (`office`) never reach the auditor as such."""
    world.office.first_name = "委员联络室"
    world.office.save()
    after = {"kind": "proposal", "attrs": {"status": "effect_unkept", "role": "co_signer"},
             "reason": "registered with its lead proposal", "recorded_by_id": world.office.pk}
    audit.record(world.office, Action.CREATE, object_type="ledger.entry", object_id="1",
                 object_repr="proposal 2025-03-01 · 7", committee_id=world.committee.pk,
                 before=None, after=after,
                 reason="registered with its lead proposal")
    record = AuditRecord.objects.get(object_type="ledger.entry", object_id="1")
    with translation.override("zh-hans"):
        view = describe_records([record])[0]
    shown = " ".join(f"{c.field} {c.before} {c.after}" for c in view.changes)
    assert "承诺未兑现" in shown and "联名人" in shown
    assert "effect_unkept" not in shown and "co_signer" not in shown
    assert "委员联络室" in shown and "office" not in shown
    assert re.search(r"[A-Za-z]{4,}", view.reason) is None, view.reason


def test_an_excel_export_record_names_the_list_not_its_code(world, as_user):
    response = as_user(world.office).get("/sheets/export/ledger.xlsx")
    assert response.status_code == 200
    record = AuditRecord.objects.get(object_type="sheets.export")
    with translation.override("zh-hans"):
        view = describe_records([record])[0]
    shown = {c.field: c.after for c in view.changes}
    assert "履职记录" in shown.values() and "ledger" not in shown.values()
