from django.core.management import call_command
from django.core.management.base import BaseCommand

from shixiao.orgs.demo import DEFAULT_PASSWORD


class Command(BaseCommand):
    help = "Generate the demo committee (see demo-data) and serve it: what `make demo` runs."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", default=None, metavar="YYYY-MM-DD",
                            help="the demo's today (default: the real date in TIME_ZONE)")
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--fresh", action="store_true",
                            help="flush the whole database first")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, members, seed, today, password, fresh, host, port, **options):
        call_command("demo_data", members=members, seed=seed, today=today, password=password,
                     fresh=fresh, stdout=self.stdout, stderr=self.stderr)
        call_command("serve", host=host, port=port, stdout=self.stdout, stderr=self.stderr)
