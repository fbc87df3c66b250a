"""Importing a spreadsheet in two steps: preview (parse and check every row, store the
result, write nothing else) and commit (check again, then write every row through the
services in one transaction, audited as one change naming the file)."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import DomainError
from shixiao.core.masking import mask_id_number, mask_phone
from shixiao.core.services import require_in_scope, require_perm
from shixiao.orgs.models import Committee

from . import workbook
from .cells import IdNumber, Phone
from .importers import IMPORTERS, CommitFailed, Context, Importer, Row
from .models import ImportBatch, ImportState
from .workbook import SheetError

IMPORT = "sheets.import_sheet"
EXPORT = "sheets.export_sheet"
# A preview nobody imports or discards is discarded after this many days, like one
# discarded by hand: its ID numbers and phone numbers are not kept in full.
PREVIEW_DAYS = 7

__all__ = ["IMPORT", "EXPORT", "ImportRefused", "SheetError", "commit_batch",
           "discard_batch", "expire_previews", "importer_for", "personal_maskers",
           "preview_import", "max_rows", "max_bytes"]


class ImportRefused(DomainError):
    """The batch cannot be committed (already done, errors, data changed); nothing stored."""


def max_rows() -> int:
    return settings.SHIXIAO_IMPORT_MAX_ROWS


def max_bytes() -> int:
    return settings.SHIXIAO_IMPORT_MAX_BYTES


def importer_for(actor, kind: str) -> Importer:
    """The kind's importer, if the actor may import it: the import permission and the
    target records' own add permissions (an unknown kind is a 404)."""
    require_perm(actor, IMPORT)
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Http404(_("No such import."))
    for perm in importer.perms:
        require_perm(actor, perm)
    return importer


def committee_of(actor) -> Committee:
    committee = Committee.objects.visible_to(actor).filter(pk=actor.committee_id).first() \
        if getattr(actor, "committee_id", None) else None
    if committee is None:
        raise DomainError(_("Your account is not attached to a committee, so there is nowhere "
                            "to import to."))
    return committee


def _flat_errors(importer: Importer, rows: list[Row]) -> list[dict]:
    return [{"row": row.number, "column": importer.header_of(key), "key": key,
             "message": message}
            for row in rows for key, messages in row.errors.items() for message in messages]


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def preview_import(actor, kind: str, *, file_name: str, data: bytes,
                   committee: Committee | None = None) -> ImportBatch:
    """Parse and check `data` as a sheet of `kind`; store and return the preview.

    A file that is not a readable table of that kind raises SheetError and stores nothing.
    Problems of rows or cells are kept on the batch (`errors`), which then cannot be
    committed."""
    importer = importer_for(actor, kind)
    committee = committee or committee_of(actor)
    expire_previews()
    if len(data) > max_bytes():
        raise SheetError(_("The file is %(size)s MB; at most %(max)s MB can be imported.")
                         % {"size": round(len(data) / 1048576, 1),
                            "max": round(max_bytes() / 1048576, 1)})
    table = workbook.read_table(data, sheet=importer.sheet, known=importer.headers,
                                required=importer.required_headers, max_rows=max_rows())
    rows = importer.parse(table)
    importer.check(Context(actor, committee), rows)
    errors = _flat_errors(importer, rows)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = ImportBatch.objects.filter(committee=committee, kind=kind, sha256=sha256,
                                         state=ImportState.COMMITTED).first()
    if earlier is not None:
        errors.insert(0, {"row": None, "column": "", "key": "", "message": _(
            "This very file was imported on %(date)s (import #%(id)s).") % {
            "date": timezone.localtime(earlier.committed_at).strftime("%Y-%m-%d %H:%M"),
            "id": earlier.pk}})
    uploader = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            committee=committee, kind=kind, file_name=(file_name or "upload.xlsx")[-255:],
            sha256=sha256, rows=_jsonable([row.to_json(importer.columns) for row in rows]),
            errors=_jsonable(errors), uploaded_by=uploader)
        if uploader is not None:
            _supersede_faulty(actor, batch, importer)
    return batch


def _supersede_faulty(actor, batch: ImportBatch, importer: Importer) -> None:
    """A new upload of the same kind by the same person replaces their earlier previews
    that had errors: those can never be imported, and left pending they read as work still
    to do (and keep people's ID numbers in full until they expire)."""
    faulty = (ImportBatch.objects.select_for_update()
              .filter(committee=batch.committee, kind=batch.kind, uploaded_by=batch.uploaded_by,
                      state=ImportState.PREVIEWED).exclude(pk=batch.pk))
    for earlier in faulty:
        if not earlier.errors:  # a good preview may still be imported: keep it
            continue
        _discard(actor, earlier, importer, reason=_(
            "Superseded by a new upload: %(file)s (import #%(id)s).") % {
            "file": batch.file_name, "id": batch.pk})


def _changed_since_preview(importer: Importer, rows: list[Row], stored: list[dict]) -> str:
    problems = _flat_errors(importer, rows)
    if problems:
        first = problems[0]
        return _("Since the preview the data changed: row %(row)s, %(column)s: %(message)s "
                 "Upload the file again to see every problem.") % {
            "row": first["row"], "column": first["column"] or "—",
            "message": first["message"]}
    for row, saved in zip(rows, stored, strict=True):
        if _jsonable(row.resolved) != saved.get("resolved"):
            return _("Since the preview the members or lists the file refers to changed "
                     "(row %(row)s). Upload the file again.") % {"row": row.number}
    return ""


def commit_batch(actor, batch: ImportBatch) -> ImportBatch:
    """Write every row of a clean preview, all or nothing, audited as one change."""
    importer = importer_for(actor, batch.kind)
    require_in_scope(actor, batch)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state == ImportState.COMMITTED:
            raise ImportRefused(_("This file was already imported on %(date)s; it cannot be "
                                  "imported twice.") % {
                "date": timezone.localtime(locked.committed_at).strftime("%Y-%m-%d %H:%M")})
        if locked.state != ImportState.PREVIEWED:
            raise ImportRefused(_("This preview was discarded; upload the file again."))
        if locked.errors or not locked.rows:
            raise ImportRefused(_("The preview has errors. Correct the file and upload it "
                                  "again; nothing was imported."))
        rows = [Row.from_json(data, importer.columns) for data in locked.rows]
        ctx = Context(actor, locked.committee, batch=locked)
        importer.check(ctx, rows)
        changed = _changed_since_preview(importer, rows, locked.rows)
        if changed:
            raise ImportRefused(changed)
        try:
            result = importer.commit(ctx, rows)
        except CommitFailed as exc:
            raise ImportRefused(_("Nothing was imported. %(reason)s") % {"reason": exc}) from exc
        before = {"state": locked.state}
        locked.state = ImportState.COMMITTED
        locked.committed_by = actor if getattr(actor, "pk", None) else None
        locked.committed_at = timezone.now()
        locked.result = _jsonable(result)
        locked.rows = masked_rows(importer, locked.rows)
        locked.version += 1
        locked.save()
        audit.record(actor, audit.Action.EVENT, locked, before=before, reason=ctx.reason,
                     after={"state": locked.state, "file_name": locked.file_name,
                            "sha256": locked.sha256, "kind": locked.kind,
                            "rows": len(rows), "counts": result["counts"],
                            "created": result["created"]})
    return locked


def discard_batch(actor, batch: ImportBatch) -> ImportBatch:
    """Drop a preview that will not be imported (kept, marked discarded, for the record)."""
    importer_for(actor, batch.kind)
    require_in_scope(actor, batch)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportState.PREVIEWED:
            raise ImportRefused(_("Only a preview that was not imported can be discarded."))
        _discard(actor, locked, IMPORTERS[locked.kind], reason="")
    return locked


def _discard(actor, locked: ImportBatch, importer: Importer, reason: str) -> None:
    locked.state = ImportState.DISCARDED
    locked.rows = masked_rows(importer, locked.rows)
    locked.version += 1
    locked.save()
    audit.record(actor, audit.Action.EVENT, locked, before={"state": "previewed"},
                 after={"state": locked.state, "file_name": locked.file_name,
                        "sha256": locked.sha256, "kind": locked.kind}, reason=reason)


def expire_previews(now=None) -> int:
    """Discard previews older than PREVIEW_DAYS (the system does it, audited); how many.
    Runs before every new preview, so a forgotten upload does not keep people's ID
    numbers in full for long."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=PREVIEW_DAYS)
    stale = list(ImportBatch.objects.filter(state=ImportState.PREVIEWED, created_at__lt=cutoff)
                 .values_list("pk", flat=True))
    for pk in stale:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=pk)
            if locked.state == ImportState.PREVIEWED and locked.kind in IMPORTERS:
                _discard(None, locked, IMPORTERS[locked.kind],
                         reason=f"preview older than {PREVIEW_DAYS} days")
    return len(stale)


def personal_maskers(importer: Importer) -> dict:
    """{column key: masking function} for the importer's columns of personal data."""
    by_type = {IdNumber: mask_id_number, Phone: mask_phone}
    return {c.key: by_type[type(c.type)] for c in importer.columns if type(c.type) in by_type}


def masked_rows(importer: Importer, rows: list[dict]) -> list[dict]:
    """Stored rows with ID and phone numbers masked, in what the file showed and in the
    parsed values. Once a batch is imported or discarded its rows are only a record of
    the file; the people's own records keep the full numbers, under their own scope."""
    maskers = personal_maskers(importer)
    if not maskers:
        return rows
    out = []
    for data in rows:
        data = dict(data)
        for part in ("cells", "values"):
            found = dict(data.get(part) or {})
            for key, mask in maskers.items():
                if found.get(key) not in (None, ""):
                    found[key] = mask(str(found[key]))
            data[part] = found
        out.append(data)
    return out
