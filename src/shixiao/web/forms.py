"""Forms of the web pages. They parse and type-check input only; every rule about the data
(dates in order, no overlapping seats, placements in the right committee) lives in the models
and services, whose ValidationError `attach_errors` puts back onto the form's fields."""

import datetime as dt
import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from shixiao.audit.models import Action
from shixiao.core.choices import MembershipRole
from shixiao.orgs.models import (
    Committee,
    Group,
    Membership,
    Person,
    Sector,
    SpecialCommittee,
    Term,
)
from shixiao.proposals.models import Proposal

PERSON_FIELDS = ["name", "gender", "birth_date", "ethnicity", "party", "employer",
                 "id_number", "phone"]
MEMBERSHIP_FIELDS = ["committee", "term", "role", "sector", "special_committees", "groups",
                     "start", "end", "number"]
EDIT_FIELDS = ["role", "sector", "special_committees", "groups", "start", "end", "number"]
PLACEMENTS = ("special_committees", "groups")

# Django 6.1's own zh_Hans catalogue lacks its new blank-choice label; naming it here puts it
# in ours, which takes precedence, so every select box speaks Chinese.
gettext_noop("- Select an option -")


class DateInput(forms.DateInput):
    """The phone's own date picker; ISO format is what <input type=date> sends and expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def model_fields(model, names: list[str]) -> dict[str, forms.Field]:
    """Form fields with the model's labels (verbose_name, so they speak Chinese) and limits."""
    fields = forms.fields_for_model(model, fields=names)
    for name, field in fields.items():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()
        elif name in PLACEMENTS:
            field.widget = forms.CheckboxSelectMultiple()
    return fields


def attach_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form: errors about a field the form shows go
    next to that field, the rest (e.g. about `person`) above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.error_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


def _label_with_committee(obj) -> str:
    return f"{obj.committee.short_name or obj.committee.name} · {obj}"


class ReasonField(forms.CharField):
    def __init__(self):
        super().__init__(
            label=_("Reason"), required=False, max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Optional. Kept in the audit record of this change."),
        )


class ScopedForm(forms.Form):
    """A form whose choices come only from what `user` may see."""

    required_css_class = "required"
    error_css_class = "invalid"

    def __init__(self, *args, user, **kwargs):
        # Labels sit above their inputs on a phone; a trailing colon adds nothing.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user

    def limit_choices(self, committee=None) -> None:
        """Restrict every choice to records visible to the user (and within `committee`).
        Labels name the committee when the user works in more than one."""
        committees = Committee.objects.visible_to(self.user)
        scoped = {
            "committee": committees,
            "term": Term.objects.visible_to(self.user),
            "sector": Sector.objects.visible_to(self.user),
            "special_committees": SpecialCommittee.objects.visible_to(self.user),
            "special_committee": SpecialCommittee.objects.visible_to(self.user),
            "groups": Group.objects.visible_to(self.user),
        }
        many = committee is None and committees.count() > 1
        for name, queryset in scoped.items():
            field = self.fields.get(name)
            if field is None:
                continue
            if name != "committee":
                queryset = queryset.select_related("committee")
                if committee is not None:
                    queryset = queryset.filter(committee=committee)
                if many:
                    field.label_from_instance = _label_with_committee
            field.queryset = queryset
        if "committee" in self.fields and not many and not self.is_bound:
            only = committees.first()
            if only is not None:
                self.fields["committee"].initial = only.pk

    def service_values(self, names: list[str]) -> dict:
        """Cleaned membership fields as the services take them: placements as lists."""
        values = {name: self.cleaned_data[name] for name in names}
        for name in PLACEMENTS:
            if name in values:
                values[name] = list(values[name])
        return values


class MembershipForm(ScopedForm):
    """A membership of an existing person (e.g. their seat in the provincial committee)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields.update(model_fields(Membership, MEMBERSHIP_FIELDS))
        self.fields["reason"] = ReasonField()
        self.limit_choices()


class EnrolForm(MembershipForm):
    """A new person and their first membership, saved together by `enrol_member`."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        person = model_fields(Person, PERSON_FIELDS)
        # Person.name's label is the generic "name" shared with committees and sectors.
        person["name"].label = _("Full name")
        # Person first: the order of the paper registration form offices fill in today.
        self.fields = {**person, **self.fields}

    def person_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class MembershipEditForm(ScopedForm):
    """Change a membership. `version` is the one the user read, so a form filled in while
    someone else saved the same record is refused instead of overwriting their change."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, membership: Membership, **kwargs):
        initial = {
            "role": membership.role, "sector": membership.sector_id,
            "special_committees": [sc.pk for sc in membership.special_committees.all()],
            "groups": [g.pk for g in membership.groups.all()],
            "start": membership.start, "end": membership.end, "number": membership.number,
            "version": membership.version,
        }
        super().__init__(*args, user=user, initial=initial, **kwargs)
        self.fields.update(model_fields(Membership, EDIT_FIELDS))
        self.fields["reason"] = ReasonField()
        self.limit_choices(committee=membership.committee)


class MemberFilterForm(ScopedForm):
    """Filters of the member list. An invalid value is ignored rather than an error page."""

    q = forms.CharField(label=_("Full name"), required=False, max_length=60)
    committee = forms.ModelChoiceField(label=_("Committee"), required=False,
                                       queryset=Committee.objects.none(), empty_label=_("All"))
    sector = forms.ModelChoiceField(label=_("Sector"), required=False,
                                    queryset=Sector.objects.none(), empty_label=_("All"))
    special_committee = forms.ModelChoiceField(
        label=_("Special committee"), required=False,
        queryset=SpecialCommittee.objects.none(), empty_label=_("All"))
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("All")), *MembershipRole.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.limit_choices()
        self.fields["committee"].initial = None

    def apply(self, memberships):
        """Narrow an already scoped queryset by the filters that are valid."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v}
        if "q" in data:
            memberships = memberships.filter(person__name__icontains=data["q"].strip())
        for name in ("committee", "sector", "role"):
            if name in data:
                memberships = memberships.filter(**{name: data[name]})
        if "special_committee" in data:
            memberships = memberships.filter(special_committees=data["special_committee"])
        return memberships


class AuditFilterForm(forms.Form):
    """Filters of the audit trail: who, which object, when, what. Bad input (a date that
    cannot be read, an end before the start) is a field error; valid filters still apply."""

    user = forms.CharField(label=_("User"), required=False, max_length=150,
                           help_text=_("Login name or full name."))
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    object = forms.CharField(label=_("Object"), required=False, max_length=200,
                             help_text=_("ID, number (e.g. 2025-0012) or part of the name."))
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *kinds]
        self.fields["action"].choices = [("", _("All")), *Action.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def apply(self, records):
        """Narrow an already scoped queryset of audit records by the valid filters."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "user" in data:
            who = data["user"].strip()
            records = records.filter(Q(username__iexact=who) | Q(user__first_name__icontains=who)
                                     | Q(user__last_name__icontains=who))
        if "kind" in data:
            records = records.filter(object_type=data["kind"])
        if "object" in data:
            records = records.filter(_object_query(data["object"].strip(), data.get("kind")))
        zone = timezone.get_current_timezone()
        if "start" in data:
            records = records.filter(timestamp__gte=dt.datetime.combine(
                data["start"], dt.time.min, tzinfo=zone))
        if "end" in data:
            records = records.filter(timestamp__lt=dt.datetime.combine(
                data["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
        if "action" in data:
            records = records.filter(action=data["action"])
        return records


def _object_query(text: str, kind: str | None):
    """An object by its id, its proposal number (2025-0012) or part of its recorded name."""
    query = Q(object_repr__icontains=text)
    if text.lstrip("#").isdigit():
        query |= Q(object_id=text.lstrip("#"))
    number = re.fullmatch(r"(\d{4})-(\d{1,6})", text)
    if number and kind in (None, "", "proposals.proposal"):
        ids = Proposal.objects.filter(year=int(number[1]), number=int(number[2])).values_list(
            "pk", flat=True)
        query |= Q(object_type="proposals.proposal", object_id__in=[str(pk) for pk in ids])
    return query
