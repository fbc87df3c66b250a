"""Excel imports: every uploaded file is parsed and checked into an `ImportBatch` (the
preview), and a commit writes exactly what that preview showed. Nothing else is stored here:
the imported records live in their own apps, written through their own services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.core.models import BaseModel, RestrictedQuerySet
from shixiao.orgs.models import committee_ids_for


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    COMMITTED = "committed", _("Imported")
    DISCARDED = "discarded", _("Discarded")


STATE_COLOURS = {
    ImportState.PREVIEWED: "blue",
    ImportState.COMMITTED: "green",
    ImportState.DISCARDED: "grey",
}


class ImportBatchQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        return self.filter(committee_id__in=committee_ids_for(user))


class ImportBatch(BaseModel):
    """One uploaded spreadsheet of one kind, parsed and checked row by row.

    `rows` holds every data row as parsed (`row` is the Excel row number, `values` the typed
    values as JSON, `cells` what the file showed, `resolved` the ids of the members, sectors
    … the row was matched to, `errors` {column key: [messages]}); `errors` lists every
    problem flat, in file order. A commit re-checks and writes exactly these rows, so what
    was previewed is what is stored. The file itself is not kept: its name and SHA-256 are.
    """

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT,
                                  related_name="import_batches", verbose_name=_("committee"))
    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices,
                             default=ImportState.PREVIEWED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["committee", "kind", "state"])]
        permissions = [
            ("import_sheet", _("Can import records from Excel files")),
            ("export_sheet", _("Can export lists to Excel files")),
        ]

    def __str__(self):
        return self.file_name

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def bad_row_count(self) -> int:
        return sum(1 for row in self.rows if row.get("errors"))

    @property
    def can_commit(self) -> bool:
        return self.state == ImportState.PREVIEWED and not self.errors and bool(self.rows)

    def state_colour(self) -> str:
        return STATE_COLOURS.get(self.state, "grey")
