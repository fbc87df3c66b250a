"""Writing and verifying the audit chain. Every service that changes data calls `record`
inside its transaction, so a change and its audit record commit or roll back together."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from shixiao.core.context import current_request_id

from . import chain
from .models import Action, AuditHead, AuditRecord

# Personal data never enters the audit trail in clear: a fingerprint shows that it
# changed without turning the audit log into a second copy of every ID number.
SENSITIVE_FIELDS = {"id_number", "phone", "password", "key_hash"}


def _fingerprint(value) -> str:
    if value in (None, ""):
        return ""
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]


def _jsonable(value):
    """Round-trip through JSON so what we hash is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model) -> dict:
    """The record's concrete fields and many-to-many ids, personal data fingerprinted."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        data[field.attname] = _fingerprint(value) if field.name in SENSITIVE_FIELDS else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(o.pk for o in field.value_from_object(obj))
    return _jsonable(data)


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    ignored = {"updated_at", "created_at", "version"}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if key not in ignored and before.get(key) != after.get(key)
    }


def _committee_of(obj) -> int | None:
    """The committee whose office may read this record's audit trail."""
    if obj._meta.model_name == "committee":
        return obj.pk
    # People belong to no committee; the one whose office registered them keeps the record.
    for attr in ("committee_id", "registered_by_id"):
        if getattr(obj, attr, None):
            return getattr(obj, attr)
    return None


def record(actor, action: str, obj: models.Model | None = None, *, before=None, after=None,
           reason: str = "", object_type: str = "", object_id: str = "",
           object_repr: str = "", committee_id: int | None = None) -> AuditRecord:
    """Append one record to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside a transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "hash": chain.GENESIS})
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        committee_id = committee_id if committee_id is not None else _committee_of(obj)
    rec = AuditRecord(
        seq=head.seq + 1,
        timestamp=timezone.now(),
        user=actor if getattr(actor, "pk", None) else None,
        username=getattr(actor, "username", "") or "",
        request_id=current_request_id(),
        committee_id=committee_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=_jsonable(before),
        after=_jsonable(after),
        changes=_jsonable(diff(before, after)),
        reason=reason or "",
        prev_hash=head.hash,
    )
    rec.hash = chain.link_hash(rec.prev_hash, rec.payload())
    rec.save()
    AuditHead.objects.filter(id=1).update(seq=rec.seq, hash=rec.hash)
    return rec


def record_create(actor, obj, reason: str = "") -> AuditRecord:
    return record(actor, Action.CREATE, obj, after=snapshot(obj), reason=reason)


def record_update(actor, obj, before: dict, reason: str = "") -> AuditRecord:
    return record(actor, Action.UPDATE, obj, before=before, after=snapshot(obj), reason=reason)


def record_delete(actor, obj, before: dict, reason: str = "") -> AuditRecord:
    return record(actor, Action.DELETE, obj, before=before, reason=reason)


def verify_chain(batch_size: int = 2000) -> chain.Break | None:
    """Check the whole chain in seq order, streaming so memory stays flat."""
    rows = (
        (r.pk, r.seq, r.prev_hash, r.hash, r.payload())
        for r in AuditRecord.objects.order_by("seq").iterator(chunk_size=batch_size)
    )
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, chain.GENESIS)
    return chain.verify(rows, head=head)
