"""Writing the ledger: record an entry, correct it, retract it. Transactional and audited;
workflows (proposals, fieldwork, imports) and the demo all call these."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.services import require_in_scope, require_perm
from shixiao.orgs.models import Membership

from .kinds import validate_attrs
from .models import Entry


def _require_writer(actor, membership: Membership) -> None:
    """Office and special-committee staff record entries for members in their scope;
    None is the system itself (workflow services acting on their own audited change)."""
    require_perm(actor, "ledger.add_entry", allow_system=True)
    require_in_scope(actor, membership)


def _validate(kind: str, date, effective, attrs: dict, evidence: str, vouched_by: str):
    errors = {f"attrs.{k}" if k != "kind" else k: v
              for k, v in validate_attrs(kind, attrs).items()}
    if not isinstance(date, dt.date):
        errors["date"] = _("Enter a date.")
    elif effective is not None and effective < date:
        errors["effective"] = _("An entry cannot take effect before the act it records.")
    if kind == "manual" and not (evidence and vouched_by):
        errors.setdefault("evidence", _("A manual entry needs evidence and who vouched for it."))
    if errors:
        raise ValidationError(errors)


def record_entry(actor, membership: Membership, *, kind: str, date: dt.date,
                 attrs: dict | None = None, effective: dt.date | None = None,
                 source=None, source_type: str = "", source_id: str = "",
                 evidence: str = "", vouched_by: str = "", reason: str = "",
                 supersedes: Entry | None = None) -> Entry:
    """Add one entry for `membership`. `source` (a model instance) links it to its record."""
    attrs = dict(attrs or {})
    if kind == "manual":
        attrs.setdefault("evidence", evidence)
        attrs.setdefault("vouched_by", vouched_by)
    _require_writer(actor, membership)
    _validate(kind, date, effective, attrs, evidence or attrs.get("evidence", ""),
              vouched_by or attrs.get("vouched_by", ""))
    if source is not None:
        source_type, source_id = source._meta.label_lower, str(source.pk)
    with transaction.atomic():
        if supersedes is not None:
            locked = Entry.objects.select_for_update().get(pk=supersedes.pk)
            if Entry.objects.filter(supersedes=locked).exists():
                raise ValidationError({"supersedes": _(
                    "This entry has already been corrected; correct the latest version.")})
            if locked.membership_id != membership.pk:
                raise ValidationError({"supersedes": _(
                    "A correction must be for the same membership.")})
        entry = Entry(committee_id=membership.committee_id, membership=membership, kind=kind,
                      date=date, effective=effective or date, attrs=attrs,
                      source_type=source_type, source_id=source_id, supersedes=supersedes,
                      evidence=evidence, vouched_by=vouched_by, reason=reason,
                      recorded_by=actor if getattr(actor, "pk", None) else None)
        entry.save()
        audit.record_create(actor, entry, reason)
    return entry


def correct_entry(actor, entry: Entry, *, reason: str, **changes) -> Entry:
    """Record a corrected copy of `entry` that supersedes it from `effective` on."""
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is corrected.")})
    fields = dict(kind=entry.kind, date=entry.date, attrs=entry.attrs,
                  source_type=entry.source_type, source_id=entry.source_id,
                  evidence=entry.evidence, vouched_by=entry.vouched_by)
    fields.update(changes)
    # From today by default: a score computed as of an earlier date still shows what was
    # known then. A caller who knows when the truth changed passes `effective`.
    fields.setdefault("effective", max(fields["date"], timezone.localdate()))
    return record_entry(actor, entry.membership, supersedes=entry, reason=reason, **fields)


def void_entry(actor, entry: Entry, *, reason: str, effective: dt.date | None = None) -> Entry:
    """Retract `entry` from `effective` (default: today) on."""
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is retracted.")})
    effective = effective or max(entry.date, timezone.localdate())
    return record_entry(actor, entry.membership, kind="void", date=entry.date,
                        effective=effective, supersedes=entry, reason=reason)


def record_entries(actor, items: list[dict], *, reason: str, label: str = "") -> list[Entry]:
    """Record many entries as one change (an import, a generated year): all or nothing.

    Each item holds `membership` and the keyword arguments of `record_entry` (no
    corrections). Every item is validated first; if any is bad, nothing is stored and the
    error names the item's position. One audit record lists the batch.
    """
    errors: dict[str, list[str]] = {}
    entries: list[Entry] = []
    memberships = {}
    for index, item in enumerate(items, 1):
        membership = item["membership"]
        if membership.pk not in memberships:
            _require_writer(actor, membership)
            memberships[membership.pk] = membership
        attrs = dict(item.get("attrs") or {})
        try:
            _validate(item["kind"], item["date"], item.get("effective"), attrs,
                      item.get("evidence", attrs.get("evidence", "")),
                      item.get("vouched_by", attrs.get("vouched_by", "")))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"{index}.{field}", []).extend(messages)
            continue
        entries.append(Entry(
            committee_id=membership.committee_id, membership=membership, kind=item["kind"],
            date=item["date"], effective=item.get("effective") or item["date"], attrs=attrs,
            source_type=item.get("source_type", ""), source_id=item.get("source_id", ""),
            evidence=item.get("evidence", ""), vouched_by=item.get("vouched_by", ""),
            reason=reason, recorded_by=actor if getattr(actor, "pk", None) else None))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = Entry.objects.bulk_create(entries, batch_size=2000)
        committees = {e.committee_id for e in created}
        audit.record(actor, audit.Action.CREATE, object_type="ledger.entry",
                     object_id=f"batch:{len(created)}", object_repr=label or reason,
                     committee_id=committees.pop() if len(committees) == 1 else None,
                     after={"count": len(created), "label": label,
                            "ids": [e.pk for e in created if e.pk is not None]},
                     reason=reason)
    return created
