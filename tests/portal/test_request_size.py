"""A body over MAX_UPLOAD_BYTES + 1 MB is answered 413 before anything reads it (portal.middleware)."""

import pytest

from comments.models import Comment
from tests.comments.conftest import comment_data, create_url

pytestmark = pytest.mark.django_db


def test_a_body_over_the_upload_cap_is_refused_with_413(client, article, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    data = comment_data(article, body="Мнение с прикачен голям файл.", website="", image=("x" * (2 * 1024 * 1024 + 1)))
    response = client.post(create_url(article), data)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Файлът е твърде голям (най-много 1 MB)." in html and "Traceback" not in html
    assert response["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response
    assert not Comment.objects.exists()


def test_a_body_within_the_cap_goes_on_to_the_view(client, article, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    response = client.post(create_url(article), comment_data(article, website="", note="x" * 500_000))
    assert response.status_code == 302 and Comment.objects.count() == 1


def test_the_413_page_speaks_the_readers_language_whatever_was_active_before(client, article, settings):
    from django.utils import translation

    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    data = comment_data(article, body="Мнение.", website="", image=("x" * (2 * 1024 * 1024 + 1)))
    with translation.override("en"):  # left over from an earlier request in this thread
        bulgarian = client.post(create_url(article), data)
    assert "Файлът е твърде голям" in bulgarian.content.decode() and 'lang="bg"' in bulgarian.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the language switch
    english = client.post(create_url(article), data, headers={"Accept-Language": "bg"})
    assert "The file is too large (1 MB at most)." in english.content.decode()
