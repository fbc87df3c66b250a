from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Serve the web UI and API on the configured database (development server; "
            "use gunicorn shixiao.wsgi in production, see README).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"shixiao serving on http://{host}:{port}/  (Ctrl-C stops)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
