from django.core.management.base import BaseCommand, CommandError

from shixiao.audit.models import AuditRecord
from shixiao.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit chain tools. `audit verify` checks every record against the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 naming the first broken record")

    def handle(self, *args, action, **options):
        if action == "verify":
            broken = verify_chain()
            count = AuditRecord.objects.count()
            if broken is not None:
                raise CommandError(
                    f"audit chain BROKEN at record id={broken.record_id} (seq {broken.seq}): "
                    f"{broken.reason}"
                )
            self.stdout.write(f"audit chain OK: {count} records verified")
