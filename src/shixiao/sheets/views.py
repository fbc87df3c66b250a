"""Excel pages: the office tools hub, template downloads, upload → preview → commit, and
the exports. Permission first (403), then scope (a batch of another committee is 404);
every write goes through sheets.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shixiao.core.errors import DomainError

from . import exports, services, workbook
from .forms import UploadForm
from .importers import IMPORTERS
from .models import ImportBatch

RECENT = 20
ERRORS_LISTED = 50


def _importable(user) -> list:
    return [imp for imp in IMPORTERS.values()
            if user.has_perm(services.IMPORT) and all(user.has_perm(p) for p in imp.perms)]


@require_GET
@login_required
def index(request):
    """What the user may import and export, and the committee's recent imports."""
    user = request.user
    if not (user.has_perm(services.IMPORT) or user.has_perm(services.EXPORT)):
        raise PermissionDenied(_("You do not have permission to do this."))
    batches = []
    if user.has_perm(services.IMPORT):
        batches = ImportBatch.objects.visible_to(user).select_related("uploaded_by")[:RECENT]
    return render(request, "sheets/index.html", {
        "importers": _importable(user), "batches": batches, "labels": _labels(),
        "exports": [(kind, e.label) for kind, e in exports.EXPORTS.items()
                    if exports.may_export(user, kind)],
    })


def _labels() -> dict:
    return {kind: imp.label for kind, imp in IMPORTERS.items()}


@require_GET
@login_required
def template_download(request, kind):
    """A blank template for the user's committee: headers, notes, drop-down lists."""
    importer = services.importer_for(request.user, kind)
    try:
        committee = services.committee_of(request.user)
    except DomainError as exc:
        raise PermissionDenied(str(exc)) from exc
    data = workbook.to_bytes(importer.template(committee))
    return exports.xlsx_response(data, f"{importer.sheet}-导入模板.xlsx")


def _upload_page(request, importer, form, *, status=200, error=""):
    recent = (ImportBatch.objects.visible_to(request.user).filter(kind=importer.kind)
              .select_related("uploaded_by")[:10])
    return render(request, "sheets/upload.html", {
        "importer": importer, "form": form, "error": error, "recent": recent,
        "max_rows": services.max_rows(), "labels": _labels(),
    }, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def upload(request, kind):
    """Upload a file; a readable one becomes a stored preview (with any row errors), an
    unreadable one is refused here with the reason and nothing is stored."""
    importer = services.importer_for(request.user, kind)
    if request.method == "GET":
        return _upload_page(request, importer, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, importer, form, status=400)
    upload_file = form.cleaned_data["file"]
    try:
        if upload_file.size > services.max_bytes():
            raise services.SheetError(_("The file is too large; at most %(max)s MB.")
                                      % {"max": services.max_bytes() // 1048576})
        batch = services.preview_import(request.user, kind, file_name=upload_file.name,
                                        data=upload_file.read())
    except (services.SheetError, DomainError) as exc:
        form.add_error("file", str(exc))
        return _upload_page(request, importer, form, status=400, error=str(exc))
    return redirect("sheets:batch", pk=batch.pk)


def _batch(request, pk) -> ImportBatch:
    batch = get_object_or_404(
        ImportBatch.objects.visible_to(request.user).select_related(
            "committee", "uploaded_by", "committed_by"), pk=pk)
    services.importer_for(request.user, batch.kind)
    return batch


def _maskers(importer, user) -> dict:
    """Personal data in the preview is masked for whoever may not see it, as on every page."""
    if user.has_perm("orgs.view_personal_data"):
        return {}
    return services.personal_maskers(importer)


def _table(importer, batch: ImportBatch, user) -> list[dict]:
    """The preview rows as the page shows them: each cell with its problems."""
    maskers, rows = _maskers(importer, user), []
    for data in batch.rows:
        errors, cells = data.get("errors") or {}, data.get("cells") or {}
        rows.append({
            "number": data["row"], "bad": bool(errors), "problems": errors.get("", []),
            "cells": [{"text": maskers.get(c.key, str)(cells.get(c.key, "")),
                       "errors": errors.get(c.key, [])} for c in importer.columns],
        })
    return rows


def _result(batch: ImportBatch) -> list[tuple[str, int]]:
    names = {"people": _("people registered"), "memberships": _("memberships"),
             "entries": _("ledger entries"), "proposals": _("proposals"),
             "reports": _("opinion reports")}
    return [(names.get(what, what), count)
            for what, count in (batch.result or {}).get("counts", {}).items()]


def _batch_page(request, batch, *, status=200, error=""):
    importer = IMPORTERS[batch.kind]
    return render(request, "sheets/batch.html", {
        "result": _result(batch),
        "batch": batch, "importer": importer, "columns": importer.columns,
        "rows": _table(importer, batch, request.user), "error": error,
        "errors": batch.errors[:ERRORS_LISTED],
        "more_errors": max(len(batch.errors) - ERRORS_LISTED, 0),
        "file_errors": [e for e in batch.errors if e.get("row") is None],
        "form": UploadForm(), "labels": _labels(),
    }, status=status)


@require_GET
@login_required
@permission_required(services.IMPORT, raise_exception=True)
def batch_detail(request, pk):
    return _batch_page(request, _batch(request, pk))


@require_POST
@login_required
@permission_required(services.IMPORT, raise_exception=True)
def batch_commit(request, pk):
    batch = _batch(request, pk)
    try:
        batch = services.commit_batch(request.user, batch)
    except DomainError as exc:
        batch.refresh_from_db()
        return _batch_page(request, batch, status=400, error=str(exc))
    total = sum(batch.result.get("counts", {}).values())
    messages.success(request, _("Imported %(file)s: %(count)s records created.")
                     % {"file": batch.file_name, "count": total})
    return redirect("sheets:batch", pk=batch.pk)


@require_POST
@login_required
@permission_required(services.IMPORT, raise_exception=True)
def batch_discard(request, pk):
    batch = _batch(request, pk)
    try:
        services.discard_batch(request.user, batch)
    except DomainError as exc:
        return _batch_page(request, batch, status=400, error=str(exc))
    messages.info(request, _("The preview was discarded; nothing was imported."))
    return redirect("sheets:upload", kind=batch.kind)


@require_GET
@login_required
def export(request, kind):
    """One list as an .xlsx file, filtered by the same query string as its page."""
    return exports.export_response(request.user, kind, request.GET)
