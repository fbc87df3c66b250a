"""Audit records as people read them: the kind of object and its fields in their own
(translated) names, choice labels instead of codes, related records by name instead of id.
Display only; the stored records are never touched.

A record's `before`/`after` hold whatever its service stored: usually `audit.snapshot`
(concrete fields by attname, many-to-many ids), sometimes extra keys (a report's authors, a
ledger batch's ids) or values that no longer fit the model (a deleted related record, a
choice since removed). Every such case is shown, never raised: the audit log must open
whatever an old record holds.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# Records written without a model instance, or with keys that are not model fields.
PSEUDO_TYPES = {
    "sheets.export": _("Excel export"),
}
EXTRA_LABELS = {
    "authors": _("Authors"),
    "count": _("Number of records"),
    "ids": _("Records"),
    "label": _("Label"),
    "export": _("Export"),
    "filters": _("Filters"),
    "rows": _("Rows"),
    "personal_data_masked": _("Personal data masked"),
    "counts": _("Counts"),
    "created": _("Created"),
    "source_proposal": _("Source proposal"),
}
# Extra keys whose values are ids of another model than the key's own relation suggests.
EXTRA_REFERENCES = {
    ("reports.opinionreport", "authors"): "orgs.membership",
    ("ledger.entry", "ids"): "ledger.entry",
}
REASON = "audit reason"
# Reasons that services store in English as fixed words; listed (with a literal context, as
# makemessages needs) so the catalogue keeps their translations.
STORED_REASONS = (
    pgettext_lazy("audit reason", "rated"),
    pgettext_lazy("audit reason", "replied"),
    pgettext_lazy("audit reason", "assigned"),
    pgettext_lazy("audit reason", "assigned to handling units"),
    pgettext_lazy("audit reason", "follow-up scheduled"),
    pgettext_lazy("audit reason", "all replies sent"),
    pgettext_lazy("audit reason", "submitted"),
    pgettext_lazy("audit reason", "co-signature confirmed"),
    pgettext_lazy("audit reason", "follow-up reviewed"),
    pgettext_lazy("audit reason", "registered"),
    pgettext_lazy("audit reason", "progress reported"),
    pgettext_lazy("audit reason", "default reason codes"),
    pgettext_lazy("audit reason", "closed"),
    pgettext_lazy("audit reason", "co-handling opinion sent"),
    pgettext_lazy("audit reason", "co-handling opinion"),
    pgettext_lazy("audit reason", "re-handling"),
    pgettext_lazy("audit reason", "default result grades"),
    pgettext_lazy("audit reason", "follow-up added"),
    pgettext_lazy("audit reason", "members scored"),
    pgettext_lazy("audit reason", "rubric registered"),
    pgettext_lazy("audit reason", "endorsement recorded"),
    pgettext_lazy("audit reason", "edited"),
    pgettext_lazy("audit reason", "resubmitted"),
    pgettext_lazy("audit reason", "default proposal policy"),
    pgettext_lazy("audit reason", "co-signature withdrawn"),
    pgettext_lazy("audit reason", "extension approved"),
    pgettext_lazy("audit reason", "objection rejected"),
    pgettext_lazy("audit reason", "reassigned"),
    pgettext_lazy("audit reason", "API token issued"),
)
# Values stored as codes that have their own words elsewhere (the ledger's vocabulary).
def _ledger_attrs(value) -> str:
    from shixiao.ledger.labels import attributes_text

    return attributes_text(value) if isinstance(value, dict) else _scalar(None, value)


def _ledger_reason(value) -> str:
    from shixiao.ledger.labels import reason_label

    return reason_label(value) if isinstance(value, str) else _scalar(None, value)


def _export_kind(value) -> str:
    from shixiao.sheets.exports import EXPORTS

    export = EXPORTS.get(value) if isinstance(value, str) else None
    return export.label if export is not None else _scalar(None, value)


RENDERERS = {
    ("sheets.export", "export"): _export_kind,
    ("ledger.entry", "attrs"): _ledger_attrs,
    ("ledger.entry", "reason"): _ledger_reason,
}
# Values that are file text (a rubric's YAML, with its authors' comments): shown as code,
# in the words they were written in, not as prose of the page.
CODE_FIELDS = {("assessment.rubricversion", "text")}
# Identifiers (a committee's code, a login, a checksum, a file type) are shown as code too.
CODE_KEYS = {"code", "username", "rubric_id", "sha256", "attachment_extensions"}
IGNORED_KEYS = {"id"}
LONG_LIST = 10
LONG_TEXT = 400
MODEL_LABEL = re.compile(r"^[a-z_]+\.[a-z_]+$")
GENERIC_REPR = re.compile(r"^\w+ object \((.*)\)$")
EMPTY = "—"


@dataclass
class Change:
    field: str
    before: str
    after: str
    code: bool = False


@dataclass
class RecordView:
    record: object
    object_type: str
    object_name: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def kind_label(object_type: str) -> str:
    """The kind of object in the reader's language: `proposals.proposal` → 提案."""
    if object_type in PSEUDO_TYPES:
        return str(PSEUDO_TYPES[object_type])
    model = _model(object_type)
    if model is not None:
        return capfirst(str(model._meta.verbose_name))
    return gettext("Other record")


def _field(model, key: str):
    """The model field (or reverse relation) a stored key stands for, or None."""
    if model is None:
        return None
    for candidate in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _label(model, key: str, f) -> str:
    if f is not None and not isinstance(f, models.ForeignObjectRel):
        return capfirst(str(f.verbose_name))
    if key in EXTRA_LABELS:
        return capfirst(str(EXTRA_LABELS[key]))
    if f is not None:  # a reverse relation: its records' kind, in the plural
        return capfirst(str(f.related_model._meta.verbose_name_plural))
    return capfirst(key.replace("_", " "))


def _target(object_type: str, key: str, f):
    """The model whose ids this key's values are, if any."""
    label = EXTRA_REFERENCES.get((object_type, key))
    if label:
        return _model(label)
    if f is not None and (f.is_relation and f.related_model is not None):
        return f.related_model
    return None


def _ids(value) -> list:
    if isinstance(value, list):
        return value
    return [] if value in (None, "") else [value]


def _clean_pk(model, value):
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


class _Names:
    """Names of related records, fetched once per model for a whole page of records."""

    def __init__(self):
        self.wanted: dict = defaultdict(set)
        self.found: dict = {}

    def want(self, model, values) -> None:
        ids = _ids(values)
        if len(ids) > LONG_LIST or not model._meta.managed:  # unmanaged: no table to read
            return
        for v in ids:
            pk = _clean_pk(model, v)
            if pk is not None:
                self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            objs = model._base_manager.in_bulk(list(pks))
            for pk, obj in objs.items():
                self.found[(model, pk)] = obj

    def name(self, model, value) -> str:
        pk = _clean_pk(model, value)
        if pk is None:
            return str(value)
        obj = self.found.get((model, pk))
        if obj is None:
            return gettext("#%(id)s (deleted)") % {"id": value}
        return _readable(obj)

    def obj(self, model, value):
        pk = _clean_pk(model, value)
        return None if pk is None else self.found.get((model, pk))


def _readable(obj) -> str:
    if isinstance(obj, AbstractBaseUser):  # a person's name, not their login
        return obj.get_full_name() or obj.get_username()
    text = str(obj)
    if GENERIC_REPR.match(text):
        text = f"{capfirst(str(obj._meta.verbose_name))} #{obj.pk}"
    number = getattr(obj, "display_number", "")
    return f"{number} {text}" if number else text


def _scalar(f, value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str) and value.startswith("sha256:") and len(value) <= 20:
        return gettext("hidden (fingerprint %(f)s)") % {"f": value.removeprefix("sha256:")}
    if f is not None and getattr(f, "flatchoices", None):
        labels = {str(k): v for k, v in f.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
        return gettext("%(value)s (no longer valid)") % {"value": value}
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "Y-m-d H:i")
    if isinstance(value, str) and MODEL_LABEL.match(value) and _model(value) is not None:
        return kind_label(value)  # e.g. a ledger entry's source type
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_scalar(None, v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, list):
        shown = [_scalar(None, v) for v in value[:LONG_LIST]]
        if len(value) > LONG_LIST:
            shown.append(gettext("… %(n)s in all") % {"n": len(value)})
        return "、".join(shown) or EMPTY
    text = str(value)
    if len(text) > LONG_TEXT:
        return gettext("%(start)s… (%(n)s characters)") % {"start": text[:LONG_TEXT],
                                                              "n": len(text)}
    return text


def _value(f, target, value, names: _Names) -> str:
    if target is not None and value not in (None, "", []):
        ids = _ids(value)
        if len(ids) > LONG_LIST:
            return _scalar(None, ids)
        return "、".join(names.name(target, v) for v in ids) or EMPTY
    return _scalar(f, value)


def _reason(record) -> str:
    reason = record.reason or ""
    if record.object_type.startswith("proposals."):
        from shixiao.proposals.views import EVENT_LABELS

        if reason in EVENT_LABELS:
            return str(EVENT_LABELS[reason])
    from shixiao.ledger.labels import REASONS as LEDGER_REASONS

    if reason in LEDGER_REASONS:  # a ledger entry's own reason, given by its workflow
        return str(LEDGER_REASONS[reason])
    return pgettext(REASON, reason) if reason else ""


def _pairs(record) -> list[tuple[str, object, object]]:
    return [(key, pair[0], pair[1]) for key, pair in sorted((record.changes or {}).items())
            if isinstance(pair, list | tuple) and len(pair) == 2 and key not in IGNORED_KEYS]


def describe_records(records) -> list[RecordView]:
    """Readable views of a page of records, with related names fetched in one query per
    model rather than one per value."""
    records = list(records)
    names = _Names()
    plans = []
    for record in records:
        model = _model(record.object_type)
        if model is not None and record.object_id.isdigit():
            names.want(model, record.object_id)
        rows = []
        for key, before, after in _pairs(record):
            f = _field(model, key)
            target = _target(record.object_type, key, f)
            if target is not None:
                names.want(target, before)
                names.want(target, after)
            rows.append((key, f, target, before, after))
        plans.append((record, model, rows))
    names.fetch()

    views = []
    for record, model, rows in plans:
        changes = []
        for key, f, target, before, after in rows:
            render = RENDERERS.get((record.object_type, key))
            if render is not None:
                shown = [EMPTY if v in (None, "", {}) else render(v) for v in (before, after)]
            else:
                shown = [_value(f, target, v, names) for v in (before, after)]
            changes.append(Change(_label(model, key, f), *shown,
                                  code=(record.object_type, key) in CODE_FIELDS
                                  or key in CODE_KEYS))
        views.append(RecordView(record, kind_label(record.object_type),
                                _object_name(record, model, names), changes, _reason(record)))
    return views


def _object_name(record, model, names: _Names) -> str:
    """The object's name as people know it: its number and name, never `X object (5)`."""
    live = names.obj(model, record.object_id) if model is not None else None
    # The stored repr was written in the language of whoever made the change; a record
    # that still exists is named now, in the reader's language.
    text = _readable(live) if live is not None else (record.object_repr or "")
    if not text or GENERIC_REPR.match(text):
        text = f"#{record.object_id}" if record.object_id.isdigit() else ""
    number = getattr(live, "display_number", "") if live is not None else ""
    if number and number not in text:
        text = f"{number} {text}".strip()
    return text


def describe(record) -> RecordView:
    return describe_records([record])[0]


def audit_kinds(records) -> list[tuple[str, str]]:
    """(object type, kind in the reader's language) of the kinds these records hold,
    sorted by the label people read."""
    types = records.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((t, kind_label(t)) for t in types), key=lambda pair: pair[1])
