from django.core.management.base import BaseCommand, CommandError

from shixiao.accounts.models import User
from shixiao.accounts.services import create_token


class Command(BaseCommand):
    help = "API tokens. `token create USERNAME` prints a new bearer token for that user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token and print it once")
        create.add_argument("username")
        create.add_argument("--description", default="created with shixiao token create")

    def handle(self, *args, action, **options):
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user named {options['username']!r}")
            self.stdout.write(create_token(None, user, description=options["description"]))
