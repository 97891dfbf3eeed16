"""Demo newsroom accounts, one per role, for ``manage.py seed_demo`` (settings.DEMO_SEEDERS).

The passwords are public (they are printed and documented), so the seeder refuses to run
unless DEBUG is on: a production site never gets these accounts.
"""

from django.conf import settings
from django.contrib.auth import get_user_model

from .roles import AUTHOR, EDITOR, GROUP_NAMES, MODERATOR, account_set_role

# username, role, name on articles, password (documented in the README)
DEMO_ACCOUNTS = [
    ("redaktor", EDITOR, "Елена Редакторова", "zelena-lipa-2025"),
    ("avtor", AUTHOR, "Петър Авторов", "sinyo-more-2025"),
    ("moderator", MODERATOR, "", "tiha-reka-2025"),
]


def seed(*, stdout) -> None:
    """Create one demo account per role (existing ones keep their password); only when DEBUG is on."""
    if not settings.DEBUG:
        stdout.write("Demo accounts skipped: DEBUG is off, and demo passwords are public.")
        return
    stdout.write(f"Demo newsroom accounts (sign in at /{settings.ADMIN_URL}):")
    # Hashing a password takes seconds by design; an existing demo account keeps its password
    # (`seed_demo --reset` recreates the accounts with the documented ones).
    existing = set(
        get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("username", flat=True)
    )
    for username, role, name, password in DEMO_ACCOUNTS:
        account_set_role(
            username=username,
            role=role,
            password=None if username in existing else password,
            email=f"{username}@vestnik.example",
            author_name=name,
            create_only=False,
        )
        stdout.write(f"  {GROUP_NAMES[role]:<11} {username:<10} password: {password}")


def reset(*, stdout) -> None:
    """Delete the demo accounts (their articles stay; created_by becomes empty)."""
    if not settings.DEBUG:
        return
    usernames = [username for username, *_rest in DEMO_ACCOUNTS]
    deleted, _ = get_user_model().objects.filter(username__in=usernames).delete()
    stdout.write(f"Demo accounts removed ({deleted} rows).")
