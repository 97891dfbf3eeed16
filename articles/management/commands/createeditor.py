import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.roles import AUTHOR, EDITOR, GROUP_NAMES, MODERATOR, account_set_role


class Command(BaseCommand):
    help = (
        "Create a newsroom account: a staff user in one role group (editor, author or moderator). "
        "The password is checked by the site's password validators."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=[EDITOR, AUTHOR, MODERATOR], default=EDITOR)
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Name shown on articles (authors and editors).")
        parser.add_argument(
            "--password",
            help="Not recommended (it stays in the shell history); without it the password is prompted for.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Move an existing user to this role (and set the password if one is given).",
        )

    def handle(self, *args, username, role, email, name, password, update, **options):
        if password is None and not update:
            password = self._prompt_password()
        try:
            account = account_set_role(
                username=username,
                role=role,
                password=password,
                email=email,
                author_name=name,
                create_only=not update,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        verb = "Created" if account.created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username!r} in the group “{GROUP_NAMES[role]}”."))

    def _prompt_password(self) -> str:
        if not self.stdin_is_interactive():
            raise CommandError("No password: pass --password or run the command in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    @staticmethod
    def stdin_is_interactive() -> bool:
        import sys

        return sys.stdin.isatty()
