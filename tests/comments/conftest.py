import time
import uuid

import pytest
from django.core import signing
from django.urls import reverse

from comments.security import OWN_SALT, form_token


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    """Deterministic defaults for comment tests: staffed all day, no hold for new authors, roomy limits.

    Tests of those features set the real values themselves.
    """
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 0
    settings.COMMENTS_RATE_POST_IP = ["1000/m"]
    settings.COMMENTS_RATE_POST_AUTHOR = ["1000/m"]
    settings.COMMENTS_RATE_VOTE = ["1000/m"]
    settings.COMMENTS_RATE_REPORT = ["1000/m"]
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 3


def comment_data(article, **fields):
    """A valid guest comment form for ``article``, rendered 10 seconds ago."""
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


def own_cookie(*comments) -> str:
    """The signed cookie that lists ``comments`` as this browser's own (comments.security)."""
    return signing.dumps([[c.pk, int(time.time()), c.article_id] for c in comments], salt=OWN_SALT, compress=True)


def create_url(article_or_id) -> str:
    return reverse("comments:create", kwargs={"article_id": getattr(article_or_id, "pk", article_or_id)})


@pytest.fixture
def post_comment(client):
    """Post a comment as a reader without JavaScript (or with it: as_json=True)."""

    def post(article, *, as_json=False, client=client, **fields):
        headers = {"Accept": "application/json"} if as_json else {}
        return client.post(create_url(article), comment_data(article, **fields), headers=headers)

    return post
