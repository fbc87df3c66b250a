"""Forms of the proposal pages. They parse input only; every rule (who may do what, in which
state, how many units a mode needs, which attachments are allowed) lives in the services,
whose ValidationError `attach_errors` puts back on the field it names. Field names match
the services' error keys for that reason."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shixiao.assessment.entries import LEVELS
from shixiao.core.choices import CommitteeLevel, UserRole
from shixiao.orgs.models import (
    Committee,
    HandlingUnit,
    Membership,
    SpecialCommittee,
    Term,
)
from shixiao.web.forms import DateInput

from . import queries
from .choices import (
    AssignmentRole,
    Category,
    HandlingMode,
    Outcome,
    ProposalState,
    ProposerType,
    Satisfaction,
)
from .models import Assignment, ProposalAuthor, ReasonCode, ResultGrade
from .service_helpers import MANAGE

S = ProposalState
LEVEL_CHOICES = [(level, CommitteeLevel(level).label) for level in LEVELS]
#: States a proposal can be merged into (review.merge says why).
MERGE_TARGET_STATES = (S.IN_REVIEW, S.REGISTERED, S.ASSIGNED)


class BaseForm(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    def __init__(self, *args, proposal=None, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.proposal, self.user = proposal, user


def _text(label, rows=3, required=True, **kw):
    return forms.CharField(label=label, required=required, max_length=kw.pop("max_length", 5000),
                           widget=forms.Textarea(attrs={"rows": rows}), **kw)


def _radio(**attrs):
    # Large, touch-friendly choices (proposals.css `.choices`).
    return forms.RadioSelect(attrs={"class": "choices", **attrs})


def _membership_label(m: Membership) -> str:
    """Names only: co-signers are chosen among all members, so no contact details here."""
    return f"{m.person.name} · {m.sector.name}" if m.sector_id else m.person.name


def _membership_label_with_committee(m: Membership) -> str:
    return f"{m.committee.short_name or m.committee.name} · {_membership_label(m)}"


def _user_label(user) -> str:
    return queries.person_name(user)


# Writing a proposal ---------------------------------------------------------------------------

class ProposalForm(BaseForm):
    """A new proposal or an edit of a draft. A member files in their own name and picks
    co-signers among the committee's members (names only); the office names the authors,
    and may file a collective proposal."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("The situation, its causes and your concrete suggestions; one matter per "
                    "proposal."))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices,
                                 initial=Category.BETWEEN_SESSIONS, widget=_radio())
    proposer_type = forms.ChoiceField(label=_("Proposer"), choices=ProposerType.choices,
                                      initial=ProposerType.INDIVIDUAL, widget=_radio())
    co_signers = forms.ModelMultipleChoiceField(
        label=_("Co-signers"), required=False, queryset=Membership.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("For a joint proposal: members who sign it with you. Each confirms the "
                    "text before it can be submitted."))

    def __init__(self, *args, user, proposal=None, **kwargs):
        super().__init__(*args, user=user, proposal=proposal, **kwargs)
        self.office = user.has_perm(MANAGE)
        if proposal is None:
            committees = Committee.objects.visible_to(user)
            field = forms.ModelChoiceField(label=_("Committee"), queryset=committees)
            if committees.count() == 1:
                field.initial = committees.first().pk
                field.widget = forms.HiddenInput()
            self.fields = {"committee": field, **self.fields}
            committee_ids = list(committees.values_list("pk", flat=True))
        else:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            committee_ids = [proposal.committee_id]
        if not self.office:
            self.fields["proposer_type"].choices = [
                (v, label) for v, label in ProposerType.choices if v != ProposerType.COLLECTIVE]
        # Deliberately not Membership.objects.visible_to(user): a member sees only their own
        # seat there, yet must be able to name co-signers. Only names are shown.
        members = (Membership.objects.filter(committee_id__in=committee_ids).current()
                   .select_related("person", "sector", "committee").order_by("person__name"))
        label = (_membership_label_with_committee if len(committee_ids) > 1
                 else _membership_label)
        if not self.office:
            members = members.exclude(person__user=user)
        self.fields["co_signers"].queryset = members
        self.fields["co_signers"].label_from_instance = label
        if self.office:
            self.fields["first_author"] = forms.ModelChoiceField(
                label=_("First author"), queryset=members, required=False,
                help_text=_("The member who files it; for a collective proposal, optional."))
            self.fields["first_author"].label_from_instance = label
            self.fields["collective_name"] = forms.CharField(
                label=_("Collective proposer"), max_length=100, required=False,
                help_text=_("For a collective proposal: the sector, party, group or "
                            "committee that files it."))
            self.fields["special_committee"] = forms.ModelChoiceField(
                label=_("Special committee"), required=False,
                queryset=SpecialCommittee.objects.filter(committee_id__in=committee_ids))
            order = ["committee", "title", "body", "category", "proposer_type", "first_author",
                     "co_signers", "collective_name", "special_committee", "version"]
            self.order_fields(order)

    def clean(self):
        data = super().clean()
        kind, co = data.get("proposer_type"), list(data.get("co_signers") or [])
        if kind == ProposerType.INDIVIDUAL and co:
            self.add_error("co_signers", _("An individual proposal has no co-signers; choose "
                                           "“joint” to add them."))
        if kind == ProposerType.JOINT and not co:
            self.add_error("co_signers", _("Choose at least one co-signer, or file an "
                                           "individual proposal."))
        if self.office and kind != ProposerType.COLLECTIVE and not data.get("first_author"):
            self.add_error("first_author", _("Name the member who files this proposal."))
        return data

    def committee(self) -> Committee:
        return self.proposal.committee if self.proposal else self.cleaned_data["committee"]

    def own_membership(self) -> Membership | None:
        return (Membership.objects.filter(person__user=self.user, committee=self.committee())
                .order_by("-start", "-id").select_related("term").first())

    def authors(self) -> list[Membership]:
        """Authors in signing order: the filer (first author), then the co-signers."""
        co = list(self.cleaned_data.get("co_signers") or [])
        first = (self.cleaned_data.get("first_author") if self.office
                 else self.own_membership())
        return ([first] if first else []) + [m for m in co if m != first]

    def term(self) -> Term | None:
        """The term a new proposal belongs to: the member's seat's, or the committee's
        current one when the office files it."""
        if not self.office:
            own = self.own_membership()
            return own.term if own else None
        today = timezone.localdate()
        return (Term.objects.filter(committee=self.committee(), start__lte=today)
                .order_by("-number").first())

    def draft_fields(self) -> dict:
        """The fields update_draft / create_draft take besides authors and proposer type."""
        data = self.cleaned_data
        values = {"title": data["title"], "body": data["body"], "category": data["category"]}
        if self.office:
            values["collective_name"] = data.get("collective_name") or ""
            values["special_committee"] = data.get("special_committee")
        return values


# Filters ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,6})\s*$")


class ProposalFilterForm(BaseForm):
    """Filters of the proposal list. An invalid value is ignored rather than an error page."""

    q = forms.CharField(label=_("Title or number"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All")), *ProposalState.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=9999)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All")), *Category.choices])
    unit = forms.ModelChoiceField(label=_("Handling unit"), required=False,
                                  queryset=HandlingUnit.objects.none(), empty_label=_("All"))
    special_committee = forms.ModelChoiceField(
        label=_("Special committee"), required=False, queryset=SpecialCommittee.objects.none(),
        empty_label=_("All"))
    key = forms.BooleanField(label=_("Key proposals only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.role == UserRole.UNIT:
            del self.fields["unit"], self.fields["special_committee"]
        else:
            self.fields["unit"].queryset = HandlingUnit.objects.visible_to(user)
            self.fields["special_committee"].queryset = SpecialCommittee.objects.visible_to(user)

    def apply(self, proposals):
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        if "q" in data:
            q = data["q"].strip()
            number = _NUMBER.match(q)
            if number:
                proposals = proposals.filter(year=int(number[1]), number=int(number[2]))
            elif q.isdigit():
                proposals = proposals.filter(Q(number=int(q)) | Q(title__icontains=q))
            else:
                proposals = proposals.filter(title__icontains=q)
        for name in ("state", "year", "category", "special_committee"):
            if name in data:
                proposals = proposals.filter(**{name: data[name]})
        if "unit" in data:
            handled = Assignment.objects.filter(unit=data["unit"]).exclude(
                state__in=("withdrawn", "reassigned")).values("proposal_id")
            proposals = proposals.filter(Q(pk__in=handled) | Q(merged_into__in=handled))
        if "key" in data:
            proposals = proposals.filter(is_key=True)
        if "overdue" in data:
            proposals = proposals.filter(queries.overdue_q())
        return proposals


class UnitFilterForm(BaseForm):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("All")), ("open", _("Open")), ("replied", _("Replied")),
        ("overdue", _("Overdue"))])


# Steps on the detail page ---------------------------------------------------------------------

class VersionForm(BaseForm):
    """A step that needs nothing but the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(VersionForm):
    reason = _text(_("What the authors should change"),
                   help_text=_("The authors see this."))


class RehandlingForm(VersionForm):
    reason = _text(_("What the unit should do again"))


class NoteForm(VersionForm):
    note = _text(_("Note"), rows=2, required=False)


class NotRegisterForm(VersionForm):
    reason_code = forms.ModelChoiceField(label=_("Ground"), queryset=ReasonCode.objects.none())
    note = _text(_("Note"), rows=2, required=False, help_text=_("The authors see this."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = ReasonCode.objects.filter(
            committee_id=self.proposal.committee_id, active=True)


def merge_candidates(proposal, user):
    """Proposals this one may be merged into: same committee, in review, registered or
    assigned, not themselves merged, and visible to the user."""
    from .models import Proposal

    return (Proposal.objects.visible_to(user)
            .filter(committee_id=proposal.committee_id, state__in=MERGE_TARGET_STATES,
                    merged_into__isnull=True)
            .exclude(pk=proposal.pk).order_by("-year", "number", "id"))


class MergeForm(VersionForm):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=None)
    note = _text(_("Note"), rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = merge_candidates(self.proposal, self.user)
        self.fields["into"].label_from_instance = lambda p: " ".join(
            filter(None, [p.display_number, p.title, f"({p.get_state_display()})"]))


def _units_of(proposal):
    return HandlingUnit.objects.filter(committee_id=proposal.committee_id).order_by("name")


class AssignForm(VersionForm):
    mode = forms.ChoiceField(label=_("Handling mode"), choices=HandlingMode.choices,
                             initial=HandlingMode.SINGLE, widget=_radio())
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=HandlingUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}))
    lead = forms.ModelChoiceField(
        label=_("Lead unit"), required=False, queryset=HandlingUnit.objects.none(),
        help_text=_("For lead and co-handling: the unit that replies; the other units chosen "
                    "above send it their opinion."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("units", "lead"):
            self.fields[name].queryset = _units_of(self.proposal)

    def clean(self):
        data = super().clean()
        mode, units, lead = data.get("mode"), list(data.get("units") or []), data.get("lead")
        if mode == HandlingMode.LEAD_CO:
            if lead is None:
                self.add_error("lead", _("Choose the lead unit."))
                return data
            data["pairs"] = [(lead, AssignmentRole.LEAD)] + [
                (u, AssignmentRole.CO) for u in units if u != lead]
        elif mode == HandlingMode.SEPARATE:
            data["pairs"] = [(u, AssignmentRole.SEPARATE) for u in units]
        else:
            data["pairs"] = [(u, AssignmentRole.SOLE) for u in units]
        return data


class TargetForm(BaseForm):
    """A step on one assignment or follow-up of the proposal: `target` names it, `version`
    is the version of that record the user saw."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ObjectionForm(TargetForm):
    reason = _text(_("Why this proposal is not your unit's business"))


class UpholdForm(TargetForm):
    note = _text(_("Note"), rows=2, required=False)


class ReassignForm(TargetForm):
    new_unit = forms.ModelChoiceField(label=_("New unit"), queryset=HandlingUnit.objects.none())
    note = _text(_("Note"), rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_unit"].queryset = _units_of(self.proposal)


class CoOpinionForm(BaseForm):
    text = _text(_("Opinion to the lead unit"), rows=6)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one's type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReplyForm(VersionForm):
    text = _text(_("Reply"), rows=10, max_length=50000)
    grade = forms.ModelChoiceField(label=_("Result grade"), queryset=ResultGrade.objects.none(),
                                   widget=_radio())
    contacted_member = forms.BooleanField(
        label=_("We contacted the proposer before replying"), required=False,
        help_text=_("The proposer confirms or denies this when rating the reply."))
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        from .defaults import policy_for

        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = ResultGrade.objects.filter(
            committee_id=self.proposal.committee_id, active=True)
        policy = policy_for(self.proposal.committee)
        types = ", ".join(sorted(e.lower().lstrip(".") for e in policy.attachment_extensions))
        self.fields["attachments"].help_text = _(
            "The signed reply letter and any plans or photos. Up to %(mb)s MB each; "
            "types: %(types)s.") % {"mb": policy.attachment_max_mb, "types": types}
        self.fields["attachments"].widget.attrs["accept"] = ",".join(
            "." + e.lower().lstrip(".") for e in policy.attachment_extensions)


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class RateForm(BaseForm):
    process = forms.ChoiceField(label=_("How the unit handled it"), choices=Satisfaction.choices,
                                widget=_radio())
    result = forms.ChoiceField(label=_("The result"), choices=Satisfaction.choices,
                               widget=_radio())
    contact_confirmed = forms.TypedChoiceField(
        label=_("Did the unit contact you before replying?"), required=False,
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=_yes_no, empty_value=None,
        widget=_radio())
    comment = _text(_("Comment"), rows=3, required=False)


class ProgressForm(TargetForm):
    text = _text(_("Progress since the reply"), rows=5)


class ReviewFollowUpForm(TargetForm):
    finding = forms.ChoiceField(label=_("Finding"), widget=_radio(), choices=[
        (Outcome.FULFILLED, Outcome.FULFILLED.label), (Outcome.PARTLY, Outcome.PARTLY.label),
        (Outcome.UNKEPT, Outcome.UNKEPT.label)])
    evidence = _text(_("Evidence"), rows=4,
                     help_text=_("What was seen, by whom, and where the documents are."))
    member_took_part = forms.BooleanField(label=_("The proposer took part"), required=False)


class AddFollowUpForm(BaseForm):
    horizon_months = forms.IntegerField(label=_("Months after the reply"), min_value=0,
                                        max_value=120)
    due = forms.DateField(label=_("Due"), required=False, widget=DateInput(),
                          help_text=_("Leave empty to count the months from the reply."))


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Verified outcome"), required=False,
                                choices=Outcome.choices, widget=_radio(),
                                help_text=_("The finding of the latest follow-up review. "
                                            "“Not established” only for a reply that "
                                            "promised nothing."))


class KeyForm(VersionForm):
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["supervisor"]
        field.queryset = get_user_model().objects.filter(
            committee_id=self.proposal.committee_id, role=UserRole.LEADER,
            is_active=True).select_related("person").order_by("username")
        field.label_from_instance = _user_label


class ExcellentForm(VersionForm):
    year = forms.IntegerField(label=_("Excellent proposal of the year"), min_value=1949,
                              max_value=9999)


class DisclosureForm(VersionForm):
    public = forms.TypedChoiceField(
        label=_("Disclosure"), choices=[("yes", _("Public")), ("no", _("Not public"))],
        coerce=_yes_no, widget=_radio())
    reason = _text(_("Why"), rows=2, help_text=_("E.g. the authors agreed."))


class EndorsementForm(BaseForm):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES)
    leader = forms.CharField(label=_("Leader"), max_length=100,
                             help_text=_("E.g. 分管副市长."))
    on = forms.DateField(label=_("Endorsed on"), widget=DateInput())
    note = _text(_("Instruction"), rows=3, required=False)


class PaperCoSignForm(VersionForm):
    author = forms.ModelChoiceField(label=_("Co-signer"), queryset=ProposalAuthor.objects.none(),
                                    help_text=_("A co-signature given on paper."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["author"]
        field.queryset = ProposalAuthor.objects.filter(
            proposal=self.proposal, role="co_signer", confirmed_on__isnull=True
        ).select_related("membership__person")
        field.label_from_instance = lambda a: a.membership.person.name
