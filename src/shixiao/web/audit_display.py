"""Audit records as people read them: the model's and fields' own (translated) names instead
of `orgs.membership` and `sector_id`. Display only; the stored records are never touched."""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class RecordView:
    record: object
    object_type: str
    changes: list[Change]


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    for candidate in (name, name.removesuffix("_id")):
        try:
            return capfirst(str(model._meta.get_field(candidate).verbose_name))
        except FieldDoesNotExist:
            continue
    return name


def _show(value) -> object:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return value


def describe(record) -> RecordView:
    model = _model(record.object_type)
    changes = [
        Change(_field_label(model, name), _show(pair[0]), _show(pair[1]))
        for name, pair in sorted((record.changes or {}).items())
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    object_type = str(model._meta.verbose_name) if model is not None else record.object_type
    return RecordView(record, object_type, changes)


def describe_records(records) -> list[RecordView]:
    return [describe(r) for r in records]
