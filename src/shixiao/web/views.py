"""Pages. Every object comes from `Model.objects.visible_to(request.user)`, so one outside
the user's scope is a 404 exactly like one that does not exist; the permission is checked
first (403). Every write goes through a service in shixiao.orgs.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError, DomainError, ValidationError
from shixiao.orgs import services as org
from shixiao.orgs.models import (
    Committee,
    HandlingUnit,
    Membership,
    Person,
    Sector,
    SpecialCommittee,
    Term,
    can_see_personal_data,
)

from .audit_display import audit_kinds, describe_records
from .forms import (
    EDIT_FIELDS,
    MEMBERSHIP_FIELDS,
    AuditFilterForm,
    EnrolForm,
    MemberFilterForm,
    MembershipEditForm,
    MembershipForm,
    attach_errors,
)

PAGE_SIZE = 50
HOME_PAGE_SIZE = 20


def _page(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


def _memberships(user):
    """The user's visible memberships with everything a list row shows, in few queries."""
    return (Membership.objects.visible_to(user)
            .select_related("person", "committee", "term", "sector")
            .prefetch_related("special_committees", "groups"))


def _counts(queryset, committee_ids) -> dict[int, int]:
    rows = (queryset.filter(committee_id__in=committee_ids).order_by()
            .values("committee_id").annotate(n=Count("pk", distinct=True)))
    return {row["committee_id"]: row["n"] for row in rows}


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that link none (the admin, a raw file). The
    static URL is resolved per request: with the production manifest storage it exists
    only after collectstatic, not when the URLconf is imported (e.g. by check --deploy)."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


@require_GET
@login_required
def home(request):
    """The committees the user works in, with their current term and what they hold."""
    user = request.user
    page = _page(request, Committee.objects.visible_to(user).select_related("parent"),
                 HOME_PAGE_SIZE)
    ids = [c.pk for c in page]
    today = timezone.localdate()
    terms: dict[int, Term] = {}
    for term in (Term.objects.visible_to(user).filter(committee_id__in=ids, start__lte=today)
                 .order_by("committee_id", "-number")):
        terms.setdefault(term.committee_id, term)
    counted = [
        ("sectors", "orgs.view_sector", Sector),
        ("special_committees", "orgs.view_specialcommittee", SpecialCommittee),
        ("units", "orgs.view_handlingunit", HandlingUnit),
    ]
    counts = {name: _counts(model.objects.visible_to(user), ids)
              for name, perm, model in counted if user.has_perm(perm)}
    if user.has_perm("orgs.view_membership"):
        counts["members"] = _counts(Membership.objects.visible_to(user).current(), ids)
    committees = [
        {"committee": c, "term": terms.get(c.pk),
         "counts": {name: per.get(c.pk, 0) for name, per in counts.items()}}
        for c in page
    ]
    own = _memberships(user).filter(person__user=user) if hasattr(user, "person") else []
    return render(request, "web/home.html", {
        "page": page, "committees": committees, "my_memberships": own,
    })


@require_GET
@login_required
@permission_required("orgs.view_membership", raise_exception=True)
def member_list(request):
    form = MemberFilterForm(request.GET, user=request.user)
    memberships = form.apply(_memberships(request.user))
    return render(request, "web/member_list.html", {
        "form": form, "page": _page(request, memberships),
    })


@require_GET
@login_required
@permission_required("orgs.view_membership", raise_exception=True)
def member_detail(request, pk):
    user = request.user
    membership = get_object_or_404(_memberships(user), pk=pk)
    person = membership.person
    return render(request, "web/member_detail.html", {
        "membership": membership,
        "person": person,
        "id_number": person.masked("id_number", user),
        "phone": person.masked("phone", user),
        # The birth date is inside the ID number; whoever may not see one sees only the year.
        "sees_personal_data": can_see_personal_data(user, person),
        "memberships": _memberships(user).filter(person=person),
    })


def _form_page(request, form, title, *, status=200, **context):
    return render(request, "web/form.html", {"form": form, "title": title, **context},
                  status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(["orgs.add_person", "orgs.add_membership"], raise_exception=True)
def member_create(request):
    """A new person and their first membership in one form, saved both or neither."""
    title = _("New member")
    if request.method == "GET":
        return _form_page(request, EnrolForm(user=request.user), title)
    form = EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        values = form.service_values(MEMBERSHIP_FIELDS)
        try:
            membership = org.enrol_member(
                request.user, person_fields=form.person_values(),
                special_committees=values.pop("special_committees"),
                groups=values.pop("groups"), membership_fields=values,
                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {
                "name": membership.person.name})
            return redirect("web:member_detail", pk=membership.pk)
    return _form_page(request, form, title, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("orgs.add_membership", raise_exception=True)
def membership_add(request, pk):
    """Another membership for a person already registered, e.g. a seat one level up."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    title = _("New membership for %(name)s") % {"name": person.name}
    if request.method == "GET":
        return _form_page(request, MembershipForm(user=request.user), title, person=person)
    form = MembershipForm(request.POST, user=request.user)
    if form.is_valid():
        values = form.service_values(MEMBERSHIP_FIELDS)
        try:
            membership = org.create_membership(
                request.user, person=person, reason=form.cleaned_data["reason"], **values)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The membership has been added."))
            return redirect("web:member_detail", pk=membership.pk)
    return _form_page(request, form, title, status=400, person=person)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("orgs.change_membership", raise_exception=True)
def member_edit(request, pk):
    """Edit a membership; a form older than the record is refused with 409, nothing saved."""
    membership = get_object_or_404(_memberships(request.user), pk=pk)
    title = _("Edit the membership of %(name)s") % {"name": membership.person.name}
    context = {"person": membership.person, "membership": membership}
    if request.method == "GET":
        form = MembershipEditForm(user=request.user, membership=membership)
        return _form_page(request, form, title, **context)
    form = MembershipEditForm(request.POST, user=request.user, membership=membership)
    status = 400
    if form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("web:member_detail", pk=membership.pk)
        try:
            org.update_membership(
                request.user, membership, expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"], **form.service_values(EDIT_FIELDS))
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The membership has been saved."))
            if not _memberships(request.user).filter(pk=membership.pk).exists():
                # E.g. special-committee staff moved the member to another special committee:
                # the record is saved but no longer theirs to see.
                return redirect("web:member_list")
            return redirect("web:member_detail", pk=membership.pk)
    return _form_page(request, form, title, status=status, **context)


@require_GET
@login_required
@permission_required("orgs.view_sector", raise_exception=True)
def sector_list(request):
    user = request.user
    sectors = Sector.objects.visible_to(user).select_related("committee")
    members = None
    if user.has_perm("orgs.view_membership"):
        # Count only members the user may see, not every seat in the sector.
        rows = (Membership.objects.visible_to(user).current().order_by().values("sector_id")
                .annotate(n=Count("pk", distinct=True)))
        members = {row["sector_id"]: row["n"] for row in rows}
    rows = [{"sector": s, "members": None if members is None else members.get(s.pk, 0)}
            for s in sectors]
    return render(request, "web/sector_list.html", {"rows": rows,
                                                    "show_members": members is not None})


@require_GET
@login_required
@permission_required("orgs.view_handlingunit", raise_exception=True)
def unit_list(request):
    units = HandlingUnit.objects.visible_to(request.user).select_related("committee")
    return render(request, "web/unit_list.html", {"page": _page(request, units)})


@require_GET
@login_required
@permission_required("orgs.view_handlingunit", raise_exception=True)
def unit_detail(request, pk):
    unit = get_object_or_404(
        HandlingUnit.objects.visible_to(request.user).select_related("committee"), pk=pk)
    return render(request, "web/unit_detail.html", {"unit": unit})


@require_GET
@login_required
@permission_required("audit.view_auditrecord", raise_exception=True)
def audit_list(request):
    """The audit trail, newest first, narrowed by who, which object, when and what.
    Read-only: records cannot be changed from anywhere."""
    records = AuditRecord.objects.visible_to(request.user)
    form = AuditFilterForm(request.GET, kinds=audit_kinds(records))
    page = _page(request, form.apply(records).order_by("-seq"))
    return render(request, "web/audit_list.html", {
        "form": form, "page": page, "records": describe_records(page.object_list),
    })
