import sys

from django.core.management.base import BaseCommand

from shixiao.assessment.cli import check_files


class Command(BaseCommand):
    help = ("Rubric files. `rubric check [--strict] FILE...` exits 1 naming the line and item "
            "of each problem.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="validate rubric files")
        check.add_argument("files", nargs="+", metavar="FILE")
        check.add_argument("--strict", action="store_true",
                           help="treat warnings (names or values no ledger entry carries) "
                                "as errors")

    def handle(self, *args, action, files, strict=False, **options):
        # The shared CLI code prints whole lines itself.
        self.stdout.ending = self.stderr.ending = ""
        status = check_files(files, self.stdout, strict=strict)
        if status:
            sys.exit(status)
