"""The import kinds, by the name used in URLs (/sheets/import/<kind>/)."""

from .base import CommitFailed, Context, Importer, Row
from .casework import ProposalsImporter, ReportsImporter
from .ledgered import AttendanceImporter, CommendationImporter
from .members import MembersImporter

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (MembersImporter(), AttendanceImporter(), ProposalsImporter(),
                     ReportsImporter(), CommendationImporter())
}

__all__ = ["IMPORTERS", "CommitFailed", "Context", "Importer", "Row"]
