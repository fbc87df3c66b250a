"""The ledger: validated per kind, append-only, corrections supersede, scoped reads."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shixiao.assessment.entries import LedgerEntry, in_force
from shixiao.audit.models import AuditRecord
from shixiao.core.errors import DomainError
from shixiao.ledger import services as ledger
from shixiao.ledger.kinds import validate_attrs
from shixiao.ledger.models import Entry

D = dt.date(2025, 3, 10)


def proposal(world, actor=None, **attrs):
    attrs = {"ref": "P1", "status": "registered", "role": "first_author"} | attrs
    return ledger.record_entry(actor or world.office, world.membership1, kind="proposal",
                               date=D, attrs=attrs)


def as_engine(entry: Entry) -> LedgerEntry:
    return LedgerEntry(id=str(entry.pk), member=str(entry.membership_id), kind=entry.kind,
                       date=entry.date, effective=entry.effective, attrs=entry.attrs,
                       supersedes=str(entry.supersedes_id) if entry.supersedes_id else None)


def test_entry_is_recorded_with_its_committee_and_an_audit_record(world):
    entry = proposal(world)
    assert entry.committee == world.committee
    assert entry.effective == D
    assert AuditRecord.objects.filter(object_type="ledger.entry",
                                      object_id=str(entry.pk)).exists()


@pytest.mark.parametrize("kind,attrs,field", [
    ("proposal", {"ref": "P1", "status": "registered"}, "attrs.role"),
    ("proposal", {"ref": "P1", "status": "flying", "role": "first_author"}, "attrs.status"),
    ("attendance", {"meeting": "plenary", "state": "attended", "half_days": "two"},
     "attrs.half_days"),
    ("attendance", {"meeting": "plenary", "state": "attended", "mood": "good"}, "attrs.mood"),
    ("commendation", {"level": "galactic"}, "attrs.level"),
    ("proposl", {}, "kind"),
])
def test_bad_attributes_are_named_and_nothing_is_stored(world, kind, attrs, field):
    before = (Entry.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError) as exc:
        ledger.record_entry(world.office, world.membership1, kind=kind, date=D, attrs=attrs)
    assert field in exc.value.message_dict
    assert (Entry.objects.count(), AuditRecord.objects.count()) == before


def test_effective_before_the_act_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        ledger.record_entry(world.office, world.membership1, kind="commendation", date=D,
                            effective=D - dt.timedelta(days=1), attrs={"level": "county"})
    assert "effective" in exc.value.message_dict


def test_manual_entry_needs_evidence_and_who_vouched(world):
    with pytest.raises(ValidationError) as exc:
        ledger.record_entry(world.office, world.membership1, kind="manual", date=D,
                            attrs={"points": 3})
    assert "attrs.evidence" in exc.value.message_dict
    entry = ledger.record_entry(world.office, world.membership1, kind="manual", date=D,
                                attrs={"points": 3}, evidence="会议纪要第3号",
                                vouched_by="办公室 王主任")
    assert entry.attrs["evidence"] == "会议纪要第3号"


def test_entries_cannot_be_edited_or_deleted(world):
    entry = proposal(world)
    entry.date = D + dt.timedelta(days=1)
    with pytest.raises(DomainError):
        entry.save()
    with pytest.raises(DomainError):
        entry.delete()
    with pytest.raises(DomainError):
        Entry.objects.filter(pk=entry.pk).update(kind="study")


def test_correction_supersedes_from_its_effective_date_so_the_past_is_reproducible(world):
    entry = proposal(world, status="submitted")
    fixed = ledger.correct_entry(world.office, entry, attrs=entry.attrs | {"status": "key"},
                                 effective=dt.date(2025, 6, 1), reason="made a key proposal")
    rows = [as_engine(e) for e in Entry.objects.all()]
    assert [e.attrs["status"] for e in in_force(rows, dt.date(2025, 5, 31))] == ["submitted"]
    assert [e.attrs["status"] for e in in_force(rows, dt.date(2025, 6, 1))] == ["key"]
    assert fixed.supersedes == entry


def test_an_entry_is_corrected_once_then_the_correction_is_corrected(world):
    entry = proposal(world)
    ledger.correct_entry(world.office, entry, attrs=entry.attrs, reason="first fix")
    with pytest.raises(ValidationError) as exc:
        ledger.correct_entry(world.office, entry, attrs=entry.attrs, reason="second fix")
    assert "supersedes" in exc.value.message_dict


def test_void_retracts_the_entry(world):
    entry = proposal(world)
    ledger.void_entry(world.office, entry, reason="recorded twice", effective=D)
    rows = [as_engine(e) for e in Entry.objects.all()]
    assert in_force(rows, dt.date(2025, 12, 31)) == []


def test_only_staff_in_scope_record_entries(world):
    with pytest.raises(PermissionDenied):
        proposal(world, actor=world.member1)
    with pytest.raises(PermissionDenied):
        proposal(world, actor=world.leader)
    from django.http import Http404

    with pytest.raises(Http404):
        ledger.record_entry(world.sc1_staff, world.membership2, kind="commendation", date=D,
                            attrs={"level": "county"})


def test_reads_are_scoped_like_memberships(world):
    mine = proposal(world)
    theirs = ledger.record_entry(world.office, world.membership2, kind="commendation", date=D,
                                 attrs={"level": "county"})
    assert set(Entry.objects.visible_to(world.member1)) == {mine}
    assert set(Entry.objects.visible_to(world.sc1_staff)) == {mine}
    assert set(Entry.objects.visible_to(world.office)) == {mine, theirs}
    assert not Entry.objects.visible_to(world.unit1_user).exists()
    assert not Entry.objects.visible_to(world.office_other).exists()


def test_every_engine_kind_has_an_attribute_spec():
    from shixiao.assessment.entries import ENTRY_KINDS

    for kind in ENTRY_KINDS:
        assert "kind" not in validate_attrs(kind, {})


def test_batch_with_one_bad_item_stores_nothing_and_names_the_item(world):
    items = [
        {"membership": world.membership1, "kind": "commendation", "date": D,
         "attrs": {"level": "county"}},
        {"membership": world.membership2, "kind": "attendance", "date": D,
         "attrs": {"meeting": "plenary", "state": "asleep"}},
    ]
    before = (Entry.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError) as exc:
        ledger.record_entries(world.office, items, reason="import")
    assert "2.attrs.state" in exc.value.message_dict
    assert (Entry.objects.count(), AuditRecord.objects.count()) == before


def test_batch_is_one_audited_change(world):
    items = [{"membership": world.membership1, "kind": "commendation", "date": D,
              "attrs": {"level": "county"}}] * 3
    before = AuditRecord.objects.count()
    created = ledger.record_entries(world.office, items, reason="import", label="sheet.xlsx")
    assert len(created) == 3
    assert AuditRecord.objects.count() == before + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.after["ids"] == [e.pk for e in created]
    assert rec.object_repr == "sheet.xlsx"


def test_batch_outside_scope_is_refused(world):
    from django.http import Http404

    with pytest.raises(Http404):
        ledger.record_entries(world.sc1_staff, [
            {"membership": world.membership2, "kind": "commendation", "date": D,
             "attrs": {"level": "county"}}], reason="import")


def test_default_rubric_names_only_attributes_the_ledger_knows():
    """A rubric condition on an attribute the ledger never stores would silently score 0."""
    import yaml

    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.ledger.kinds import SPECS

    def conditions(node):
        if isinstance(node, dict):
            for key in ("where", "unless"):
                if isinstance(node.get(key), dict):
                    yield node[key]
            for value in node.values():
                yield from conditions(value)
        elif isinstance(node, list):
            for value in node:
                yield from conditions(value)

    checked = 0
    for condition in conditions(yaml.safe_load(default_rubric_text())):
        kinds = condition.get("kind")
        kinds = [kinds] if isinstance(kinds, str) else kinds or []
        for kind in kinds:
            for attr in condition:
                if attr != "kind":
                    assert attr in SPECS[kind], (kind, attr)
                    checked += 1
    assert checked > 10


def test_demo_year_covers_the_acts_no_workflow_records_and_is_deterministic(world):
    from shixiao.ledger.demo import generate_year

    count = generate_year(world.committee, 2025, seed=5)
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {"attendance", "fieldwork", "study", "constituent_contact"} <= kinds
    # Proposal and report entries come from the real workflows (proposals/demo.py,
    # reports/demo.py), never invented here.
    assert not kinds & {"proposal", "opinion_report"}
    assert count == Entry.objects.count()
    first = list(Entry.objects.order_by("pk").values_list("membership", "kind", "date",
                                                            "attrs"))
    Entry.objects.all()._raw_delete(Entry.objects.db)
    generate_year(world.committee, 2025, seed=5)
    again = list(Entry.objects.order_by("pk").values_list("membership", "kind", "date",
                                                            "attrs"))
    assert first == again
