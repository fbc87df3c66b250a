"""Ledger pages: the scoped list of entries with filters (and its Excel export), the
office's form to record an entry by hand, and corrections and retractions from an entry's
row. Entries come from `Entry.objects.visible_to(user)` (another's entry is 404); writes go
through ledger.services, whose refusals come back as field errors (400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shixiao.core.errors import DomainError

from . import labels, services
from .forms import CorrectForm, EntryFilterForm, EntryForm, VoidForm
from .models import Entry
from .sources import source_texts

PAGE_SIZE = 50
VIEW, ADD = "ledger.view_entry", "ledger.add_entry"


def _entries(user):
    return Entry.objects.visible_to(user).select_related(
        "membership__person", "committee", "recorded_by")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def entry_list(request):
    """Entries newest first; `?format=xlsx` downloads the filtered list as Excel."""
    if request.GET.get("format") == "xlsx":
        from shixiao.sheets.exports import export_response

        params = request.GET.copy()
        params.pop("format")
        return export_response(request.user, "ledger", params)
    form = EntryFilterForm(request.GET)
    entries = form.apply(_entries(request.user)).order_by("-date", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [e.pk for e in page]
    corrected = set(Entry.objects.filter(supersedes__in=ids).values_list("supersedes_id",
                                                                         flat=True))
    sources = source_texts(request.user, page)
    for entry in page:
        entry.is_superseded = entry.pk in corrected
        _describe(entry)
        entry.source_text, entry.source_url = sources.get(
            (entry.source_type, entry.source_id),
            (labels.source_label(entry.source_type), ""))
    from shixiao.sheets.exports import may_export

    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return render(request, "ledger/entry_list.html", {
        "form": form, "page": page, "can_record": request.user.has_perm(ADD),
        "can_export": may_export(request.user, "ledger"), "export_query": query.urlencode(),
    })


def _describe(entry: Entry) -> None:
    entry.kind_label = labels.kind_label(entry.kind)
    entry.attrs_text = labels.attributes_text(entry.attrs)
    entry.reason_text = labels.reason_label(entry.reason)


def _form_page(request, form, title, *, status=200, **context):
    return render(request, "ledger/entry_form.html", {"form": form, "title": title, **context},
                  status=status)


def _save(form, call) -> tuple[object | None, int]:
    """Run a service call; a refusal goes onto the form (400)."""
    try:
        return call(), 200
    except ValidationError as exc:
        form.attach(exc)
    except (DomainError, PermissionDenied) as exc:
        form.add_error(None, str(exc))
    return None, 400


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def entry_create(request):
    """Record one entry by hand. Choosing a kind shows its attributes (a GET with ?kind=)."""
    title = _("Record a ledger entry")
    if request.method == "GET":
        # What was already typed comes back when the kind changes (a GET of the form).
        initial = {k: v for k, v in request.GET.items() if k != "csrfmiddlewaretoken"}
        form = EntryForm(user=request.user, initial=initial)
        return _form_page(request, form, title)
    form = EntryForm(request.POST, user=request.user)
    if form.is_valid() and form.chosen_kind:
        data = form.cleaned_data
        entry, status = _save(form, lambda: services.record_entry(
            request.user, data["membership"], kind=form.chosen_kind, date=data["date"],
            effective=data["effective"], attrs=form.attrs(), evidence=data["evidence"],
            vouched_by=data["vouched_by"], reason=data["reason"]))
        if entry is not None:
            messages.success(request, _("The entry has been recorded."))
            return redirect("ledger:entry_list")
    return _form_page(request, form, title, status=400)


def _entry(request, pk) -> Entry:
    entry = get_object_or_404(_entries(request.user), pk=pk)
    _describe(entry)
    return entry


def _refuse_if_closed(entry: Entry) -> str:
    if entry.kind == "void":
        return _("A retraction cannot be corrected or retracted itself.")
    if Entry.objects.filter(supersedes=entry).exists():
        return _("This entry has already been corrected; correct the latest version.")
    return ""


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def entry_correct(request, pk):
    entry = _entry(request, pk)
    title = _("Correct a ledger entry")
    form = CorrectForm(request.POST or None, entry=entry)
    closed = _refuse_if_closed(entry)
    if closed:
        form.add_error(None, closed)
        return _form_page(request, form, title, status=400, entry=entry)
    if request.method == "GET":
        return _form_page(request, form, title, entry=entry)
    if form.is_valid():
        data = form.cleaned_data
        changes = {"date": data["date"], "attrs": form.attrs()}
        if data.get("effective"):
            changes["effective"] = data["effective"]
        if entry.kind == "manual":
            changes.update(evidence=data["evidence"], vouched_by=data["vouched_by"])
            changes["attrs"].update(evidence=data["evidence"], vouched_by=data["vouched_by"])
        done, _status = _save(form, lambda: services.correct_entry(
            request.user, entry, reason=data["reason"], **changes))
        if done is not None:
            messages.success(request, _("The correction has been recorded."))
            return redirect("ledger:entry_list")
    return _form_page(request, form, title, status=400, entry=entry)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def entry_void(request, pk):
    entry = _entry(request, pk)
    title = _("Retract a ledger entry")
    form = VoidForm(request.POST or None)
    closed = _refuse_if_closed(entry)
    if closed:
        form.add_error(None, closed)
        return _form_page(request, form, title, status=400, entry=entry)
    if request.method == "GET":
        return _form_page(request, form, title, entry=entry)
    if form.is_valid():
        data = form.cleaned_data
        done, _status = _save(form, lambda: services.void_entry(
            request.user, entry, reason=data["reason"], effective=data["effective"]))
        if done is not None:
            messages.success(request, _("The entry has been retracted."))
            return redirect("ledger:entry_list")
    return _form_page(request, form, title, status=400, entry=entry)
