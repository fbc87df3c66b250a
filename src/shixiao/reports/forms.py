"""Forms of the opinion-report pages. They parse input only; the rules (length limit, which
step is allowed when, no duplicate adoption) live in reports.services, whose errors
`attach_errors` puts back onto the fields."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shixiao.assessment.entries import LEVELS
from shixiao.orgs.models import Committee, Membership, committee_ids_for
from shixiao.web.forms import DateInput

from .models import LEVEL_CHOICES, MAX_BODY_CHARS, LeaderRank, ReportState


class BaseForm(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _body_field(label=None, **kw):
    return forms.CharField(
        label=label or _("Text"), widget=forms.Textarea(attrs={"rows": 14}), strip=False,
        help_text=format_lazy(_(
            "Who reports, the situation, its causes and your suggestion, one matter per "
            "report; at most {max} characters (spaces and line breaks do not count)."),
            max=MAX_BODY_CHARS), **kw)


def _membership_label(m: Membership) -> str:
    return f"{m.person.name} · {m.sector.name}" if m.sector_id else m.person.name


class ReportForm(BaseForm):
    """A new report. Members write in their own name; office staff may name the authors."""

    committee = forms.ModelChoiceField(label=_("Committee"), queryset=Committee.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    body = _body_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        committees = Committee.objects.filter(pk__in=committee_ids_for(user))
        self.fields["committee"].queryset = committees
        if committees.count() == 1:
            self.fields["committee"].initial = committees.first().pk
            self.fields["committee"].widget = forms.HiddenInput()
        if user.has_perm("reports.manage_opinionreport"):
            members = (Membership.objects.visible_to(user).current()
                       .select_related("person", "sector").order_by("person__name"))
            self.fields["first_author"] = forms.ModelChoiceField(
                label=_("First author"), queryset=members, required=False,
                help_text=_("Leave empty for a report written by the office itself."))
            self.fields["co_signers"] = forms.ModelMultipleChoiceField(
                label=_("Co-signers"), queryset=members, required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}))
            for name in ("first_author", "co_signers"):
                self.fields[name].label_from_instance = _membership_label

    def authors(self) -> list[Membership] | None:
        """Authors in signing order, or None to let the service use the writer's own seat."""
        first = self.cleaned_data.get("first_author")
        if first is None and not self.cleaned_data.get("co_signers"):
            return None
        others = [m for m in self.cleaned_data.get("co_signers") or [] if m != first]
        return ([first] if first else []) + others


class DraftEditForm(BaseForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = _body_field()
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(BaseForm):
    """A step that needs nothing but the version the user saw (submit, start editing)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def _levels_from(committee_level: str):
    """Levels a report of a committee at `committee_level` can reach: its own and above."""
    allowed = LEVELS[:LEVELS.index(committee_level) + 1]
    return [(value, label) for value, label in LEVEL_CHOICES if value in allowed]


class LevelledForm(VersionForm):
    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("level", "to_level"):
            if name in self.fields:
                self.fields[name].choices = _levels_from(report.committee.level)


class EditTextForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    edited_body = _body_field(label=_("Edited text"))
    finish = forms.BooleanField(label=_("Editing is finished"), required=False, initial=True)


class SendForm(LevelledForm):
    to_level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES)
    recipient = forms.CharField(label=_("Recipient"), max_length=200,
                                help_text=_("E.g. 市委办公室, 省政协办公厅."))
    on = forms.DateField(label=_("Sent on"), widget=DateInput())


class AdoptionForm(LevelledForm):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES)
    body = forms.CharField(label=_("Adopted by"), max_length=200,
                           help_text=_("The organ or publication, e.g. 省政协《社情民意》."))
    issue_no = forms.CharField(label=_("Issue number"), max_length=60, required=False)
    on = forms.DateField(label=_("Adopted on"), widget=DateInput())


class EndorsementForm(LevelledForm):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES)
    leader_rank = forms.ChoiceField(label=_("Leader's rank"), choices=LeaderRank.choices)
    leader = forms.CharField(label=_("Leader"), max_length=100,
                             help_text=_("E.g. 省委主要领导, 分管副市长."))
    on = forms.DateField(label=_("Endorsed on"), widget=DateInput())
    content = forms.CharField(label=_("Instruction"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class NotUsedForm(VersionForm):
    reason = forms.CharField(label=_("Why it is not used"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("The authors see this reason."))


class ReportFilterForm(BaseForm):
    """Filters of the report list. An invalid value is ignored rather than an error page."""

    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All")), *ReportState.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949,
                              max_value=9999)
    level = forms.ChoiceField(label=_("Adopted at level"), required=False,
                              choices=[("", _("All")), *LEVEL_CHOICES])

    def apply(self, reports):
        from django.db.models import Q

        from .models import Adoption

        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        if "q" in data:
            reports = reports.filter(title__icontains=data["q"].strip())
        if "state" in data:
            reports = reports.filter(state=data["state"])
        if "year" in data:
            # A draft has no submission date yet; it belongs to the year it was written.
            reports = reports.filter(Q(submitted_on__year=data["year"]) | Q(
                submitted_on__isnull=True, created_at__year=data["year"]))
        if "level" in data:
            reports = reports.filter(pk__in=Adoption.objects.filter(
                level=data["level"]).values("report_id"))
        return reports

