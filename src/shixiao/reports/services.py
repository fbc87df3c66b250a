"""Use cases of the opinion-report workflow: one transactional, audited function each.

States: draft → submitted → editing → edited → sent → archived, with not_used (closed with a
reason) reachable before anything was adopted. Adoptions and endorsements are recorded on a
sent report, many per report. Authors' ledger entries (kind `opinion_report`) record the
events a rubric scores: submitted, adopted (per adoption) and endorsed (per endorsement).

Views, the API and the proposals workflow (`create_report_from_proposal`) call these.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.assessment.entries import LEVELS
from shixiao.audit import services as audit
from shixiao.core.errors import DomainError, PermissionDenied, ValidationError
from shixiao.core.services import check_version, require_in_scope, require_perm
from shixiao.ledger import services as ledger
from shixiao.orgs.models import Committee, Membership, committee_ids_for

from .models import (
    MAX_BODY_CHARS,
    Adoption,
    AuthorRole,
    Endorsement,
    LeaderRank,
    OpinionReport,
    ReportAuthor,
    ReportState,
    SendRecord,
)

ADD = "reports.add_opinionreport"
MANAGE = "reports.manage_opinionreport"
EDIT_DEADLINE = "report_edit"

S = ReportState


class IllegalTransition(DomainError):
    """The report is not in a state that allows this step."""


# Helpers ------------------------------------------------------------------------------------

def body_length(text: str) -> int:
    """Characters as an editor counts them: line breaks and spaces do not count."""
    return sum(1 for ch in text or "" if not ch.isspace())


def _today() -> dt.date:
    return timezone.localdate()


def _refuse(report: OpinionReport, action: str, allowed) -> None:
    if report.state not in allowed:
        raise IllegalTransition(_(
            "Cannot %(action)s a report in state “%(state)s”; this is possible only in: "
            "%(allowed)s."
        ) % {"action": action, "state": report.get_state_display(),
             "allowed": " / ".join(str(S(s).label) for s in allowed)})


def _lock(report: OpinionReport, version: int | None) -> OpinionReport:
    locked = OpinionReport.objects.select_for_update().get(pk=report.pk)
    check_version(locked, version)
    return locked


def _save(actor, report: OpinionReport, before: dict, reason: str = "") -> OpinionReport:
    report.version += 1
    report.save()
    audit.record_update(actor, report, before, reason)
    return report


def is_author(actor, report: OpinionReport) -> bool:
    if actor is None:
        return False
    return report.created_by_id == actor.pk or report.authors.filter(
        membership__person__user=actor).exists()


def _require_author(actor, report: OpinionReport) -> None:
    """Only the people who wrote a report change or submit it. Office staff who typed it in
    for a member count as its author (created_by)."""
    require_perm(actor, ADD)
    require_in_scope(actor, report)
    if not is_author(actor, report):
        raise PermissionDenied(_("Only the report's authors can do this."))


def _require_office(actor, report: OpinionReport) -> None:
    require_perm(actor, MANAGE)
    require_in_scope(actor, report)


def _validate_date(on, field: str, *, not_before: dt.date | None = None,
                   not_before_what: str = "") -> None:
    if not isinstance(on, dt.date):
        raise ValidationError({field: _("Enter a date.")})
    if on > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and on < not_before:
        raise ValidationError({field: _(
            "The date cannot be before %(what)s (%(date)s).") % {
            "what": not_before_what, "date": not_before.isoformat()}})


def _validate_level(committee: Committee, level: str, field: str = "level") -> None:
    """A report travels upward: it can reach its own committee's level or higher."""
    if level not in LEVELS:
        raise ValidationError({field: _("Choose one of: %(levels)s.") % {
            "levels": ", ".join(LEVELS)}})
    if LEVELS.index(level) > LEVELS.index(committee.level):
        raise ValidationError({field: _(
            "A report of this committee cannot reach a level below its own (%(own)s)."
        ) % {"own": committee.get_level_display()}})


def _validate_text(title: str, body: str, *, for_submit: bool) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the report a title.")
    elif len(title) > 200:
        errors["title"] = _("A title has at most 200 characters.")
    length = body_length(body)
    if not length:
        errors["body"] = _("Write the report's text.")
    elif for_submit and length > MAX_BODY_CHARS:
        errors["body"] = _(
            "The text has %(length)s characters; a report may have at most %(max)s. "
            "Shorten it by %(over)s."
        ) % {"length": length, "max": MAX_BODY_CHARS, "over": length - MAX_BODY_CHARS}
    if errors:
        raise ValidationError(errors)


def _edit_due(committee: Committee, start: dt.date) -> dt.date | None:
    """When the office should have finished editing, from the deadlines app's rule."""
    try:
        from shixiao.deadlines.services import due_date
    except ImportError:  # the deadlines app is not there yet; the report simply has no due
        return None
    return due_date(committee, EDIT_DEADLINE, start)


def edit_colour(report: OpinionReport, today: dt.date | None = None) -> str:
    """Blue / yellow / red while the office has not finished editing; "none" otherwise."""
    if not report.edit_due:
        return "none"
    try:
        from shixiao.deadlines.services import escalation
    except ImportError:
        return "none"
    done = report.edited_on or (report.closed_on if report.state == S.NOT_USED else None)
    if done is None and report.state in (S.SENT, S.ARCHIVED):
        done = report.sent_on
    return str(escalation(report.committee, EDIT_DEADLINE, report.edit_due, today=today,
                          done_on=done))


def _current_membership(actor, committee: Committee) -> Membership | None:
    """The actor's own seat in `committee`: today's, or else the latest."""
    own = Membership.objects.filter(person__user=actor, committee=committee)
    return own.current().order_by("-start").first() or own.order_by("-start").first()


def _author_rows(report: OpinionReport, memberships: list[Membership]) -> list[ReportAuthor]:
    if len(memberships) == 1:
        roles = [AuthorRole.INDIVIDUAL]
    else:
        roles = [AuthorRole.FIRST_AUTHOR] + [AuthorRole.CO_SIGNER] * (len(memberships) - 1)
        roles = roles[:len(memberships)]
    return [ReportAuthor(committee_id=report.committee_id, report=report, membership=m,
                         role=role, rank=rank)
            for rank, (m, role) in enumerate(zip(memberships, roles, strict=True), 1)]


def _record_for_authors(report: OpinionReport, *, status: str, date: dt.date,
                        level: str | None = None, effective: dt.date | None = None,
                        from_proposal: bool = False, reason: str = "") -> None:
    """One ledger entry per author. The workflow has checked and audited its own change;
    the ledger records its consequence as the system (actor None). Entries of a report made
    from a proposal say so (`from_proposal`), so a rubric that also scores the conversion
    itself can leave them out."""
    authors = list(report.authors.select_related("membership"))
    converted = from_proposal or report.source_proposal_id is not None
    for author in authors:
        attrs = {"ref": report.ref, "status": status, "role": author.role,
                 "authors": len(authors)}
        if level:
            attrs["level"] = level
        if converted:
            attrs["from_proposal"] = True
        ledger.record_entry(None, author.membership, kind="opinion_report", date=date,
                            effective=effective, attrs=attrs, source=report, reason=reason)


# Writing and submitting (authors) -----------------------------------------------------------

def create_draft(actor, *, committee: Committee, title: str, body: str,
                 authors: list[Membership] | None = None, reason: str = "") -> OpinionReport:
    """A new draft. A member writes in their own name (their seat in `committee`); office
    staff may enter a report for members (`authors`, first author first) or with none, for
    the office's own reports."""
    require_perm(actor, ADD)
    if not actor.is_superuser and committee.pk not in committee_ids_for(actor):
        raise ValidationError({"committee": _("You cannot write reports for this committee.")})
    _validate_text(title, body, for_submit=False)
    authors = list(authors or [])
    own = _current_membership(actor, committee)
    if not authors and own is not None:
        authors = [own]
    if len({m.pk for m in authors}) != len(authors):
        raise ValidationError({"authors": _("Each author can be named once.")})
    visible = set(Membership.objects.visible_to(actor).filter(
        pk__in=[m.pk for m in authors]).values_list("pk", flat=True))
    for m in authors:
        if m.committee_id != committee.pk or m.pk not in visible:
            raise ValidationError({"authors": _(
                "Every author must be a member of this committee you can see.")})
    if not actor.has_perm(MANAGE) and (own is None or own not in authors):
        raise ValidationError({"authors": _("You can only write reports in your own name.")})
    with transaction.atomic():
        report = OpinionReport(committee=committee, title=title.strip(), body=body,
                               state=S.DRAFT, created_by=actor)
        report.save()
        ReportAuthor.objects.bulk_create(_author_rows(report, authors))
        audit.record(actor, audit.Action.CREATE, report, reason=reason, after={
            **audit.snapshot(report), "authors": [m.pk for m in authors]})
    return report


def update_draft(actor, report: OpinionReport, *, title: str, body: str,
                 version: int | None = None, reason: str = "") -> OpinionReport:
    """Change a draft's title and text. Only the authors, and only before submitting."""
    _require_author(actor, report)
    _validate_text(title, body, for_submit=False)
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("change the text of"), [S.DRAFT])
        before = audit.snapshot(locked)
        locked.title, locked.body = title.strip(), body
        return _save(actor, locked, before, reason)


def submit(actor, report: OpinionReport, *, version: int | None = None,
           on: dt.date | None = None, reason: str = "") -> OpinionReport:
    """Send a draft to the office. `on` (default today) lets the office record a report
    handed in on paper earlier. Each author's ledger gets a `submitted` entry that day."""
    _require_author(actor, report)
    if on is not None and on != _today() and not actor.has_perm(MANAGE):
        # The date decides the scoring period; only the office records an earlier one.
        raise ValidationError({"submitted_on": _(
            "Only the office can record a submission on another day than today.")})
    on = on or _today()
    _validate_date(on, "submitted_on")
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("submit"), [S.DRAFT])
        _validate_text(locked.title, locked.body, for_submit=True)
        before = audit.snapshot(locked)
        locked.state, locked.submitted_on = S.SUBMITTED, on
        locked.edit_due = _edit_due(locked.committee, on)
        _save(actor, locked, before, reason)
        _record_for_authors(locked, status="submitted", date=on, reason=reason)
    return locked


# Editing and sending (office) ---------------------------------------------------------------

def start_editing(actor, report: OpinionReport, *, version: int | None = None,
                  reason: str = "") -> OpinionReport:
    """The office takes a submitted report in hand; the edit starts from the member's text."""
    _require_office(actor, report)
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("start editing"), [S.SUBMITTED])
        before = audit.snapshot(locked)
        locked.state = S.EDITING
        if not locked.edited_body:
            locked.edited_body = locked.body
        return _save(actor, locked, before, reason)


def save_edit(actor, report: OpinionReport, *, edited_body: str, title: str | None = None,
              finish: bool = True, version: int | None = None, reason: str = "",
              on: dt.date | None = None) -> OpinionReport:
    """Save the office's edited text beside the member's original, which stays as it was.
    With `finish`, editing is done (state edited, dated `on`, default today); without, it
    stays open. `on` lets an import or the demo record when editing really finished."""
    _require_office(actor, report)
    if on is not None:
        _validate_date(on, "on", not_before=report.submitted_on,
                       not_before_what=_("the day it was submitted"))
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("edit"), [S.EDITING, S.EDITED])
        new_title = locked.title if title is None else title
        try:
            _validate_text(new_title, edited_body, for_submit=True)
        except ValidationError as exc:
            raise ValidationError({"edited_body" if k == "body" else k: v
                                   for k, v in exc.message_dict.items()}) from exc
        before = audit.snapshot(locked)
        locked.title, locked.edited_body = new_title.strip(), edited_body
        if finish:
            locked.state = S.EDITED
            locked.edited_on = locked.edited_on or on or _today()
        return _save(actor, locked, before, reason)


def send_upward(actor, report: OpinionReport, *, sends: list[dict],
                version: int | None = None, reason: str = "") -> OpinionReport:
    """Record that the report went to one or more recipients, each `{to_level, recipient,
    on}`: the same-level Party committee or government, the CPPCC a level up, and so on.
    A sent report may be sent again later, to a further recipient."""
    _require_office(actor, report)
    if not sends:
        raise ValidationError({"sends": _("Name at least one recipient.")})
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("send"), [S.SUBMITTED, S.EDITED, S.SENT])
        rows = []
        for item in sends:
            level, recipient, on = (item.get("to_level"), (item.get("recipient") or "").strip(),
                                    item.get("on"))
            _validate_level(locked.committee, level, "to_level")
            if not recipient:
                raise ValidationError({"recipient": _("Say to whom the report was sent.")})
            _validate_date(on, "on", not_before=locked.submitted_on,
                           not_before_what=_("the day it was submitted"))
            rows.append(SendRecord(committee_id=locked.committee_id, report=locked,
                                   to_level=level, recipient=recipient[:200], on=on))
        before = audit.snapshot(locked)
        for row in rows:
            row.save()
            audit.record_create(actor, row, reason)
        first = min(row.on for row in rows)
        locked.sent_on = min(locked.sent_on, first) if locked.sent_on else first
        locked.state = S.SENT
        return _save(actor, locked, before, reason)


# Outcomes (office) --------------------------------------------------------------------------

def record_adoption(actor, report: OpinionReport, *, level: str, body: str, on: dt.date,
                    issue_no: str = "", version: int | None = None,
                    reason: str = "") -> Adoption:
    """The report was adopted by `body` (e.g. 省政协《社情民意》) at `level` on `on`. Once per
    level and body. Each author gets an `adopted` ledger entry at that level, dated `on`."""
    _require_office(actor, report)
    body = (body or "").strip()
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("record an adoption of"), [S.SENT])
        _validate_level(locked.committee, level)
        if not body:
            raise ValidationError({"body": _("Name the body or publication that adopted it.")})
        _validate_date(on, "on", not_before=locked.sent_on,
                       not_before_what=_("the day it was sent"))
        earlier = locked.adoptions.filter(level=level, body=body).first()
        if earlier is not None:
            raise ValidationError({"body": _(
                "This adoption is already recorded (%(body)s, %(level)s, %(date)s)."
            ) % {"body": body, "level": earlier.get_level_display(),
                 "date": earlier.on.isoformat()}})
        adoption = Adoption(committee_id=locked.committee_id, report=locked, level=level,
                            body=body[:200], issue_no=(issue_no or "").strip()[:60], on=on)
        adoption.save()
        audit.record_create(actor, adoption, reason)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        _record_for_authors(locked, status="adopted", date=on, level=level, reason=reason)
    return adoption


def record_endorsement(actor, report: OpinionReport, *, level: str, leader_rank: str,
                       leader: str, on: dt.date, content: str = "",
                       version: int | None = None, reason: str = "") -> Endorsement:
    """A leader's instruction (批示) on the report. Each author gets an `endorsed` ledger
    entry at that level, dated `on`."""
    _require_office(actor, report)
    leader = (leader or "").strip()
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("record an endorsement of"), [S.SENT])
        _validate_level(locked.committee, level)
        if leader_rank not in LeaderRank.values:
            raise ValidationError({"leader_rank": _("Choose one of: %(ranks)s.") % {
                "ranks": ", ".join(LeaderRank.values)}})
        if not leader:
            raise ValidationError({"leader": _("Say which leader gave the instruction.")})
        _validate_date(on, "on", not_before=locked.sent_on,
                       not_before_what=_("the day it was sent"))
        endorsement = Endorsement(committee_id=locked.committee_id, report=locked,
                                  level=level, leader_rank=leader_rank, leader=leader[:100],
                                  on=on, content=content or "")
        endorsement.save()
        audit.record_create(actor, endorsement, reason)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        _record_for_authors(locked, status="endorsed", date=on, level=level, reason=reason)
    return endorsement


def mark_not_used(actor, report: OpinionReport, *, reason: str,
                  version: int | None = None, on: dt.date | None = None) -> OpinionReport:
    """Close a report without use, saying why (the member sees the reason). Not once it
    has been adopted or endorsed: that outcome stands. Dated `on` (default today)."""
    _require_office(actor, report)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is not used.")})
    if on is not None:
        _validate_date(on, "on", not_before=report.submitted_on,
                       not_before_what=_("the day it was submitted"))
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("close as not used"), [S.SUBMITTED, S.EDITING, S.EDITED, S.SENT])
        if locked.adoptions.exists() or locked.endorsements.exists():
            raise IllegalTransition(_(
                "This report has been adopted or endorsed; it cannot be closed as not used."))
        before = audit.snapshot(locked)
        locked.state, locked.not_used_reason = S.NOT_USED, reason.strip()
        locked.closed_on = on or _today()
        return _save(actor, locked, before, reason)


def archive(actor, report: OpinionReport, *, version: int | None = None,
            reason: str = "", on: dt.date | None = None) -> OpinionReport:
    """File a sent report away once its outcomes are in; nothing more is recorded on it.
    Dated `on` (default today)."""
    _require_office(actor, report)
    if on is not None:
        _validate_date(on, "on", not_before=report.sent_on,
                       not_before_what=_("the day it was sent"))
    with transaction.atomic():
        locked = _lock(report, version)
        _refuse(locked, _("archive"), [S.SENT])
        before = audit.snapshot(locked)
        locked.state, locked.closed_on = S.ARCHIVED, on or _today()
        return _save(actor, locked, before, reason)


# Conversion from a proposal -----------------------------------------------------------------

def create_report_from_proposal(actor, proposal, *, on: dt.date | None = None,
                                reason: str = "") -> OpinionReport:
    """A proposal turned into an opinion report at review (转为社情民意): a submitted report
    with the proposal's title, text, authors and submission date. Called by the proposals
    workflow inside its transaction.

    The authors get `submitted` report entries dated the proposal's submission (the period
    it belongs to) and marked `from_proposal`. With `on`, the day of the conversion, they
    take effect that day: the proposals workflow voids its own `submitted` entries from the
    same day, so the item counts once as of any date, as a proposal before and a report
    after."""
    if actor is not None and not (actor.has_perm(MANAGE)
                                  or actor.has_perm("proposals.manage_proposal")):
        raise PermissionDenied(_("You do not have permission to do this."))
    committee = proposal.committee
    if actor is not None and not actor.is_superuser and not actor.sees_everything \
            and committee.pk not in committee_ids_for(actor):
        raise PermissionDenied(_("You do not have permission to do this."))
    source = proposal if _is_proposal(proposal) else None
    if source is not None and OpinionReport.objects.filter(source_proposal=source).exists():
        raise IllegalTransition(_("This proposal has already been converted into a report."))
    if on is not None:
        _validate_date(on, "on")
    authors = sorted(proposal.authors.all(), key=lambda a: (a.rank or 0, a.membership.pk))
    submitted_on = proposal.submitted_on or on or _today()
    with transaction.atomic():
        report = OpinionReport(committee=committee, title=(proposal.title or "")[:200],
                               body=proposal.body or "", state=S.SUBMITTED,
                               submitted_on=submitted_on,
                               edit_due=_edit_due(committee, on or _today()),
                               created_by=actor if getattr(actor, "pk", None) else None)
        if source is not None:
            report.source_proposal = source
        report.save()
        ReportAuthor.objects.bulk_create([
            ReportAuthor(committee_id=committee.pk, report=report, membership=a.membership,
                         role=a.role if a.role in AuthorRole.values else AuthorRole.CO_SIGNER,
                         rank=index)
            for index, a in enumerate(authors, 1)])
        audit.record(actor, audit.Action.CREATE, report, reason=reason or _(
            "converted from a proposal"), after={
            **audit.snapshot(report), "authors": [a.membership.pk for a in authors],
            "source_proposal": getattr(proposal, "pk", None)})
        _record_for_authors(report, status="submitted", date=submitted_on,
                            effective=max(on, submitted_on) if on else None,
                            from_proposal=True, reason=reason)
    return report


def _is_proposal(obj) -> bool:
    """The real Proposal model (not a stand-in object), so the report can link to it."""
    field = {f.name: f for f in OpinionReport._meta.get_fields()}.get("source_proposal")
    return field is not None and isinstance(obj, field.related_model)
