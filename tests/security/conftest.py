import itertools

import pytest
from django.db import connection

from tests.comments.conftest import comment_data as comment_form  # noqa: F401  (re-exported)
from tests.comments.conftest import create_url  # noqa: F401  (re-exported)

_addresses = itertools.count(1)


def database_url(*, port: int | None = None, **params) -> str:
    """The test database as a DATABASE_URL for a live gunicorn (``port``: through a proxy on 127.0.0.1)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = "127.0.0.1" if port else s["HOST"] or "127.0.0.1"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"postgres://{auth}@{host}:{port or s['PORT'] or 5432}/{s['NAME']}?{query}"


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    """Comments published at once (staffed all day, no hold for new authors) with roomy limits.

    The corpus and the fuzzers look at what is rendered and stored, so nothing may be held back by
    moderation that the test does not ask for; tests of the limits set the real values themselves.
    """
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 0
    settings.COMMENTS_RATE_POST_IP = ["100000/m"]
    settings.COMMENTS_RATE_POST_AUTHOR = ["100000/m"]
    settings.COMMENTS_RATE_VOTE = ["100000/m"]
    settings.COMMENTS_RATE_REPORT = ["100000/m"]
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 3


def next_address() -> str:
    """A fresh client address (a new guest author each time: no repeat or history check applies)."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


JSON = {"Accept": "application/json"}
