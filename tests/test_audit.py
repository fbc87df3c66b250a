"""The audit chain: every service write leaves a record; tampering is detected by id."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shixiao.audit import chain
from shixiao.audit.models import AuditHead, AuditRecord
from shixiao.audit.services import verify_chain
from shixiao.core.errors import DomainError
from shixiao.orgs import services as org


def run_verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def raw_sql(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_untouched_chain_verifies(world):
    assert verify_chain() is None
    assert "OK" in run_verify()


def test_service_write_records_who_what_before_after_and_reason(world):
    org.update_membership(world.office, world.membership1, number="0042", reason="renumbered")
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.username == "office"
    assert rec.action == "update"
    assert rec.object_type == "orgs.membership"
    assert rec.object_id == str(world.membership1.pk)
    assert rec.changes["number"] == ["", "0042"]
    assert rec.reason == "renumbered"
    assert rec.request_id
    assert rec.committee_id == world.committee.pk


def test_personal_data_enters_the_audit_only_as_fingerprint(world):
    rec = AuditRecord.objects.get(object_type="orgs.person", object_id=str(world.person1.pk),
                                  action="create")
    assert rec.after["id_number"].startswith("sha256:")
    assert "110101199003091234" not in str(rec.after)


@pytest.mark.parametrize("column,value", [
    ("reason", "'edited behind the app'"),
    ("object_repr", "'someone else'"),
    ("changes", "'{}'"),
])
def test_altered_row_fails_verify_naming_its_id(world, column, value):
    victim = AuditRecord.objects.order_by("seq")[5]
    raw_sql(f"UPDATE audit_auditrecord SET {column} = {value} WHERE id = %s", [victim.pk])
    broken = verify_chain()
    assert broken is not None and broken.record_id == victim.pk
    with pytest.raises(CommandError, match=rf"id={victim.pk}\b"):
        run_verify()


def test_deleted_middle_row_fails_verify(world):
    rows = list(AuditRecord.objects.order_by("seq")[:10])
    raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [rows[4].pk])
    broken = verify_chain()
    assert broken is not None and broken.record_id == rows[5].pk
    assert "deleted" in broken.reason


def test_deleted_last_row_fails_verify(world):
    last = AuditRecord.objects.order_by("-seq").first()
    raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [last.pk])
    broken = verify_chain()
    assert broken is not None
    with pytest.raises(CommandError, match="BROKEN"):
        run_verify()


def test_rehashed_forgery_is_still_caught_by_the_next_link(world):
    """Someone who alters a row and recomputes its hash breaks the next row's link."""
    rows = list(AuditRecord.objects.order_by("seq")[:3])
    forged = rows[1]
    payload = forged.payload() | {"reason": "forged"}
    new_hash = chain.link_hash(forged.prev_hash, payload)
    raw_sql("UPDATE audit_auditrecord SET reason = 'forged', hash = %s WHERE id = %s",
            [new_hash, forged.pk])
    broken = verify_chain()
    assert broken is not None and broken.record_id == rows[2].pk


def test_audit_records_refuse_edit_and_delete_through_the_orm(world):
    rec = AuditRecord.objects.first()
    rec.reason = "changed"
    with pytest.raises(DomainError):
        rec.save()
    with pytest.raises(DomainError):
        rec.delete()
    with pytest.raises(DomainError):
        AuditRecord.objects.filter(pk=rec.pk).update(reason="x")
    with pytest.raises(DomainError):
        AuditRecord.objects.all().delete()


def test_failed_service_write_leaves_no_audit_record_and_no_head_move(world):
    before = (AuditRecord.objects.count(), AuditHead.objects.get().seq)
    with pytest.raises(Exception):  # noqa: B017 - the point is that nothing is kept
        org.create_sector(world.office, committee=world.committee, name="经济界")  # duplicate
    assert (AuditRecord.objects.count(), AuditHead.objects.get().seq) == before
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    """A change and its audit record must commit together, so `record` demands a transaction."""
    from shixiao.audit.services import record

    with pytest.raises(RuntimeError, match="inside a transaction"):
        record(None, "event", object_type="test", object_id="1")
    assert AuditRecord.objects.count() == 0


def test_chain_verify_is_pure_and_reports_sequence_gaps():
    rows, prev = [], chain.GENESIS
    for seq in (1, 2, 4):
        payload = {"seq": seq}
        h = chain.link_hash(prev, payload)
        rows.append((seq * 10, seq, prev, h, payload))
        prev = h
    broken = chain.verify(rows)
    assert broken.record_id == 40 and "jumps" in broken.reason
    assert chain.verify(rows[:2], head=(2, rows[1][3])) is None


def test_office_sees_the_audit_of_people_it_registered(world):
    person = org.create_person(world.office, name="赵六")
    rec = AuditRecord.objects.get(object_type="orgs.person", object_id=str(person.pk))
    assert rec.committee_id == world.committee.pk
    assert AuditRecord.objects.visible_to(world.office).filter(pk=rec.pk).exists()
    assert not AuditRecord.objects.visible_to(world.office_other).filter(pk=rec.pk).exists()
