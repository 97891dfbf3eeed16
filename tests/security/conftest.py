import itertools
import time
import uuid

import pytest

from comments.security import form_token

_addresses = itertools.count(1)


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


def comment_form(article, **fields) -> dict:
    """What the comment form sends for ``article``, shown 10 seconds ago."""
    data = {
        "author_name": "Иван Петров",
        "email": "",
        "body": "Интересна статия, благодаря за информацията.",
        "parent": "",
        "token": form_token(article.pk, issued_at=time.time() - 10),
        "submission": str(uuid.uuid4()),
        "website": "",
    }
    data.update(fields)
    return data


def create_url(article_or_id) -> str:
    pk = getattr(article_or_id, "pk", article_or_id)
    return f"/comments/article/{pk}/post/"


JSON = {"Accept": "application/json"}
