"""Forms of the ledger pages: the list's filters, recording an entry by hand, correcting and
retracting one. Attribute fields follow ledger.kinds.SPECS for the chosen kind; the rules
themselves stay in ledger.services, whose errors are put back on these fields."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shixiao.orgs.models import Membership
from shixiao.web.forms import DateInput

from . import labels
from .kinds import SPECS, Attr

#: The kinds as the office's forms name them (ledger.labels is the one table).
KIND_LABELS = labels.KINDS

SOURCES = [
    ("", _("All")),
    ("none", _("Entered by hand")),
    ("sheets.importbatch", _("Excel import")),
    ("proposals.proposal", _("Proposals")),
    ("reports.opinionreport", _("Opinion reports")),
]

STATUS = [("", _("All")), ("current", _("Current only")), ("superseded", _("Superseded only"))]


def kind_choices(*, with_void: bool = True) -> list[tuple[str, str]]:
    return [(kind, KIND_LABELS.get(kind, kind)) for kind in SPECS
            if with_void or kind != "void"]


def member_label(m: Membership) -> str:
    return f"{m.person.name} · {m.committee.short_name or m.committee.name} · {m.term}"


class BaseForm(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def attach(self, error) -> None:
        """Put a service's ValidationError on the fields it names (`attrs.<name>` on the
        attribute's field); the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = f"attr_{key[6:]}" if key.startswith("attrs.") else key
            self.add_error(name if name in self.fields else None, messages)


class EntryFilterForm(BaseForm):
    """Filters of the entry list (and its Excel export). Invalid values are ignored."""

    q = forms.CharField(label=_("Member"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    source = forms.ChoiceField(label=_("Source"), required=False, choices=SOURCES)
    status = forms.ChoiceField(label=_("Corrections"), required=False, choices=STATUS)
    batch = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *kind_choices()]

    def apply(self, entries):
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        if "q" in data:
            entries = entries.filter(membership__person__name__icontains=data["q"].strip())
        if "kind" in data:
            entries = entries.filter(kind=data["kind"])
        if "date_from" in data:
            entries = entries.filter(date__gte=data["date_from"])
        if "date_to" in data:
            entries = entries.filter(date__lte=data["date_to"])
        source = data.get("source")
        if source == "none":
            entries = entries.filter(source_type="")
        elif source:
            entries = entries.filter(source_type=source)
        if "batch" in data:
            entries = entries.filter(source_type="sheets.importbatch",
                                     source_id=str(data["batch"]))
        if data.get("status") == "current":
            entries = entries.filter(superseded_by__isnull=True)
        elif data.get("status") == "superseded":
            entries = entries.filter(~Q(superseded_by=None))
        return entries

    def active(self) -> dict:
        """The filters in force, as typed (for the export's audit record)."""
        return {name: self.data.get(name) for name in self.fields if self.data.get(name)}


def _attr_field(name: str, attr: Attr) -> forms.Field:
    label = labels.ATTRIBUTES.get(name, name)
    if attr.type == "number":
        return forms.DecimalField(label=label, required=attr.required, max_digits=12,
                                  decimal_places=2)
    if attr.type == "bool":
        return forms.TypedChoiceField(
            label=label, required=attr.required, empty_value=None,
            coerce=lambda value: value == "true",
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))])
    if attr.choices:
        return forms.ChoiceField(label=label, required=attr.required,
                                 choices=[("", "—"), *labels.choices(name, attr.choices)])
    return forms.CharField(label=label, required=attr.required, max_length=200)


def attr_fields(kind: str) -> dict[str, forms.Field]:
    """One form field per attribute of `kind` (manual entries take evidence and who vouched
    for it from the entry's own fields)."""
    skip = {"evidence", "vouched_by"} if kind == "manual" else set()
    return {f"attr_{name}": _attr_field(name, attr)
            for name, attr in SPECS.get(kind, {}).items() if name not in skip}


def _json_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _initial(value):
    """An attribute's value as its field shows it (yes/no choices are strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class AttributesMixin:
    """Collects the attr_* fields into the `attrs` dict the services take."""

    def attrs(self) -> dict:
        attrs = {}
        for field, value in self.cleaned_data.items():
            if not field.startswith("attr_") or value in (None, ""):
                continue
            attrs[field[5:]] = _json_number(value) if isinstance(value, Decimal) else value
        return attrs



class EntryForm(AttributesMixin, BaseForm):
    """An entry recorded by hand. The kind decides the attribute fields, so the page shows
    them once a kind is chosen."""

    membership = forms.ModelChoiceField(label=_("Member"), queryset=Membership.objects.none())
    kind = forms.ChoiceField(label=_("Kind"))
    date = forms.DateField(label=_("Date"), widget=DateInput(),
                           help_text=_("When the act happened; it decides the period."))
    effective = forms.DateField(label=_("Counts from"), required=False, widget=DateInput(),
                                help_text=_("Empty: from the date above."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (
            Membership.objects.visible_to(user).select_related("person", "committee", "term")
            .order_by("person__name", "pk"))
        self.fields["membership"].label_from_instance = member_label
        self.fields["kind"].choices = [("", "—"), *kind_choices(with_void=False)]
        # Choosing a kind reloads the form with that kind's attribute fields.
        self.fields["kind"].widget.attrs.update({
            "hx-get": reverse_lazy("ledger:entry_create"), "hx-trigger": "change",
            "hx-include": "closest form", "hx-target": "#entry-form",
            "hx-select": "#entry-form", "hx-swap": "outerHTML"})
        kind = (self.data.get("kind") if self.is_bound else self.initial.get("kind")) or ""
        self.chosen_kind = kind if kind in SPECS and kind != "void" else ""
        self.fields.update(attr_fields(self.chosen_kind))
        manual = self.chosen_kind == "manual"
        self.fields["evidence"] = forms.CharField(
            label=_("Evidence"), required=manual, widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("What shows the act happened (required for manual points)."))
        self.fields["vouched_by"] = forms.CharField(
            label=_("Vouched for by"), required=manual, max_length=100)
        self.fields["reason"] = forms.CharField(
            label=_("Reason"), required=False, max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Optional. Kept in the audit record."))


class CorrectForm(AttributesMixin, BaseForm):
    """A corrected copy of an entry; the reason is required and kept in the audit trail."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    effective = forms.DateField(label=_("Counts from"), required=False, widget=DateInput(),
                                help_text=_("Empty: from today (earlier scores stay as "
                                            "they were)."))

    def __init__(self, *args, entry, **kwargs):
        initial = {"date": entry.date, **{f"attr_{k}": _initial(v)
                                          for k, v in entry.attrs.items()}}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(attr_fields(entry.kind))
        if entry.kind == "manual":
            self.fields["evidence"] = forms.CharField(
                label=_("Evidence"), initial=entry.evidence,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields["vouched_by"] = forms.CharField(label=_("Vouched for by"),
                                                        initial=entry.vouched_by,
                                                        max_length=100)
        self.fields["reason"] = forms.CharField(label=_("Reason"), max_length=500,
                                                widget=forms.Textarea(attrs={"rows": 2}))


class VoidForm(BaseForm):
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    effective = forms.DateField(label=_("Retracted from"), required=False, widget=DateInput(),
                                help_text=_("Empty: from today."))
