"""Endpoints for opinion reports (社情民意): read them, write and submit them, and record the
office's steps and the outcomes (adoptions, endorsements).

Reads start from `OpinionReport.objects.visible_to(user)`: a report outside the caller's
scope is a 404 like one that does not exist; the permission is checked first (403). Writes go
through `shixiao.reports.services`, which check again, audit, and refuse an illegal step with
a reason (400), invalid data naming the field (422) and a stale `version` (409).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shixiao.core.choices import CommitteeLevel
from shixiao.core.errors import ValidationError
from shixiao.core.services import require_perm
from shixiao.orgs.models import Committee, Membership
from shixiao.reports import services
from shixiao.reports.models import (
    Adoption,
    LeaderRank,
    OpinionReport,
    ReportAuthor,
    ReportState,
)

from .auth import actor
from .errors import api_field_names

router = Router(tags=["opinion reports"])

VIEW = "reports.view_opinionreport"

# Service field → the name the client sent, for validation errors.
FIELDS = {"committee": "committee_id", "authors": "author_membership_ids",
          "submitted_on": "on"}


# Schemas ------------------------------------------------------------------------------------

class ReportAuthorOut(Schema):
    membership_id: int
    name: str
    role: str
    rank: int

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.membership.person.name


class SendOut(Schema):
    id: int
    to_level: CommitteeLevel
    recipient: str
    on: dt.date


class AdoptionOut(Schema):
    id: int
    report_id: int
    level: CommitteeLevel
    body: str = Field(description="The organ or publication that adopted the report.")
    issue_no: str
    on: dt.date


class EndorsementOut(Schema):
    id: int
    report_id: int
    level: CommitteeLevel
    leader_rank: LeaderRank
    leader: str
    on: dt.date
    content: str


class ReportOut(Schema):
    id: int
    committee_id: int
    title: str
    state: ReportState
    submitted_on: dt.date | None
    edited_on: dt.date | None
    sent_on: dt.date | None
    closed_on: dt.date | None
    edit_due: dt.date | None = Field(description="When the office should finish editing.")
    source_proposal_id: int | None = Field(description="The proposal it was converted from.")
    authors: list[ReportAuthorOut]
    adopted_levels: list[CommitteeLevel]
    endorsed_levels: list[CommitteeLevel]
    version: int

    @staticmethod
    def resolve_authors(obj):
        return list(obj.authors.all())

    @staticmethod
    def resolve_adopted_levels(obj) -> list[str]:
        return sorted({a.level for a in obj.adoptions.all()}, key=_level_order)

    @staticmethod
    def resolve_endorsed_levels(obj) -> list[str]:
        return sorted({e.level for e in obj.endorsements.all()}, key=_level_order)


def _level_order(level: str) -> int:
    return list(CommitteeLevel.values).index(level)


class ReportDetailOut(ReportOut):
    body: str = Field(description="The authors' own text, never changed after submitting.")
    edited_body: str = Field(description="The office's edited copy; empty until editing.")
    not_used_reason: str
    edit_colour: str = Field(description="none / blue / yellow / red: the editing deadline.")
    sends: list[SendOut]
    adoptions: list[AdoptionOut]
    endorsements: list[EndorsementOut]

    @staticmethod
    def resolve_edit_colour(obj) -> str:
        return services.edit_colour(obj)

    @staticmethod
    def resolve_sends(obj):
        return list(obj.sends.all())

    @staticmethod
    def resolve_adoptions(obj):
        return list(obj.adoptions.all())

    @staticmethod
    def resolve_endorsements(obj):
        return list(obj.endorsements.all())


class ReportIn(Schema):
    committee_id: int
    title: str
    body: str
    author_membership_ids: list[int] | None = Field(
        None, description="Office only: the authors in signing order. Members always write "
                          "in their own name.")
    submit: bool = Field(False, description="Submit at once instead of keeping a draft.")
    reason: str = ""


class DraftPatch(Schema):
    version: int
    title: str | None = None
    body: str | None = None
    reason: str = ""


class VersionIn(Schema):
    """`version` is the one you read; a newer one means someone else changed the report
    meanwhile, and the answer is 409."""

    version: int
    reason: str = ""


class SubmitIn(VersionIn):
    on: dt.date | None = Field(None, description="Default today; earlier for a paper report.")


class EditIn(VersionIn):
    edited_body: str
    title: str | None = None
    finish: bool = True


class SendIn(Schema):
    to_level: CommitteeLevel
    recipient: str
    on: dt.date


class SendingsIn(VersionIn):
    sends: list[SendIn]


class AdoptionIn(VersionIn):
    level: CommitteeLevel
    body: str
    issue_no: str = ""
    on: dt.date


class EndorsementIn(VersionIn):
    level: CommitteeLevel
    leader_rank: LeaderRank
    leader: str
    on: dt.date
    content: str = ""


class NotUsedIn(VersionIn):
    reason: str


class ReportFilter(Schema):
    committee: int | None = None
    state: ReportState | None = None
    year: int | None = Field(None, description="Year submitted (drafts: year written).")
    level: CommitteeLevel | None = Field(None, description="Adopted at this level.")
    q: str | None = Field(None, description="Text in the title.")


# Reads --------------------------------------------------------------------------------------

def _reports(request):
    user = actor(request)
    require_perm(user, VIEW)
    authors = ReportAuthor.objects.select_related("membership__person").order_by("rank")
    return OpinionReport.objects.visible_to(user).prefetch_related(
        Prefetch("authors", queryset=authors), "adoptions", "endorsements")


def _report(request, report_id: int) -> OpinionReport:
    return get_object_or_404(_reports(request).prefetch_related("sends"), pk=report_id)


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
def list_reports(request, filters: Query[ReportFilter]):
    reports = _reports(request)
    if filters.committee is not None:
        reports = reports.filter(committee_id=filters.committee)
    if filters.state:
        reports = reports.filter(state=filters.state)
    if filters.year is not None:
        reports = reports.filter(Q(submitted_on__year=filters.year) | Q(
            submitted_on__isnull=True, created_at__year=filters.year))
    if filters.level:
        reports = reports.filter(pk__in=Adoption.objects.filter(
            level=filters.level).values("report_id"))
    if filters.q:
        reports = reports.filter(title__icontains=filters.q.strip())
    return reports


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request, report_id: int):
    return _report(request, report_id)


# Writes -------------------------------------------------------------------------------------

def _target(request, report_id: int, perm: str) -> OpinionReport:
    """Permission first (403), then scope (404)."""
    require_perm(actor(request), perm)
    return _report(request, report_id)


def _authors(user, ids: list[int] | None) -> list[Membership] | None:
    if ids is None:
        return None
    found = {m.pk: m for m in Membership.objects.visible_to(user).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"author_membership_ids": _(
            "No such records, or not ones you can use: %(ids)s.") % {
            "ids": ", ".join(map(str, missing))}})
    return [found[i] for i in ids]


@router.post("/reports", response={201: ReportDetailOut})
def create_report(request, payload: ReportIn):
    user = actor(request)
    require_perm(user, services.ADD)
    committee = Committee.objects.visible_to(user).filter(pk=payload.committee_id).first()
    if committee is None:
        raise ValidationError({"committee_id": _("No such record, or not one you can use.")})
    authors = _authors(user, payload.author_membership_ids)
    with api_field_names(FIELDS), transaction.atomic():
        report = services.create_draft(user, committee=committee, title=payload.title,
                                       body=payload.body, authors=authors,
                                       reason=payload.reason)
        if payload.submit:
            services.submit(user, report, reason=payload.reason)
    return Status(201, _report(request, report.pk))


@router.patch("/reports/{report_id}", response=ReportDetailOut)
def update_report(request, report_id: int, payload: DraftPatch):
    user = actor(request)
    report = _target(request, report_id, services.ADD)
    with api_field_names(FIELDS):
        services.update_draft(
            user, report, title=report.title if payload.title is None else payload.title,
            body=report.body if payload.body is None else payload.body,
            version=payload.version, reason=payload.reason)
    return _report(request, report_id)


def _step(request, report_id: int, perm: str, call):
    report = _target(request, report_id, perm)
    with api_field_names(FIELDS):
        call(actor(request), report)
    return _report(request, report_id)


@router.post("/reports/{report_id}/submit", response=ReportDetailOut)
def submit_report(request, report_id: int, payload: SubmitIn):
    return _step(request, report_id, services.ADD, lambda u, r: services.submit(
        u, r, version=payload.version, on=payload.on, reason=payload.reason))


@router.post("/reports/{report_id}/start-editing", response=ReportDetailOut)
def start_editing(request, report_id: int, payload: VersionIn):
    return _step(request, report_id, services.MANAGE, lambda u, r: services.start_editing(
        u, r, version=payload.version, reason=payload.reason))


@router.post("/reports/{report_id}/edited-text", response=ReportDetailOut)
def save_edit(request, report_id: int, payload: EditIn):
    return _step(request, report_id, services.MANAGE, lambda u, r: services.save_edit(
        u, r, edited_body=payload.edited_body, title=payload.title, finish=payload.finish,
        version=payload.version, reason=payload.reason))


@router.post("/reports/{report_id}/sendings", response=ReportDetailOut)
def send_report(request, report_id: int, payload: SendingsIn):
    sends = [s.dict() for s in payload.sends]
    return _step(request, report_id, services.MANAGE, lambda u, r: services.send_upward(
        u, r, sends=sends, version=payload.version, reason=payload.reason))


@router.post("/reports/{report_id}/adoptions", response={201: AdoptionOut})
def add_adoption(request, report_id: int, payload: AdoptionIn):
    report = _target(request, report_id, services.MANAGE)
    adoption = services.record_adoption(
        actor(request), report, level=payload.level, body=payload.body,
        issue_no=payload.issue_no, on=payload.on, version=payload.version,
        reason=payload.reason)
    return Status(201, adoption)


@router.post("/reports/{report_id}/endorsements", response={201: EndorsementOut})
def add_endorsement(request, report_id: int, payload: EndorsementIn):
    report = _target(request, report_id, services.MANAGE)
    endorsement = services.record_endorsement(
        actor(request), report, level=payload.level, leader_rank=payload.leader_rank,
        leader=payload.leader, on=payload.on, content=payload.content,
        version=payload.version, reason=payload.reason)
    return Status(201, endorsement)


@router.post("/reports/{report_id}/not-used", response=ReportDetailOut)
def mark_not_used(request, report_id: int, payload: NotUsedIn):
    return _step(request, report_id, services.MANAGE, lambda u, r: services.mark_not_used(
        u, r, reason=payload.reason, version=payload.version))


@router.post("/reports/{report_id}/archive", response=ReportDetailOut)
def archive_report(request, report_id: int, payload: VersionIn):
    return _step(request, report_id, services.MANAGE, lambda u, r: services.archive(
        u, r, version=payload.version, reason=payload.reason))
