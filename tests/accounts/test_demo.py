import io

import pytest
from django.contrib.auth import get_user_model

from accounts import demo
from comments.models import Comment, CommentStatus
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_the_demo_reader_is_seeded_only_with_debug_on(settings):
    settings.DEBUG = False
    demo.seed(stdout=io.StringIO())
    assert not get_user_model().objects.filter(username=demo.USERNAME).exists()


def test_the_demo_reader_signs_in_and_has_an_approved_comment(settings, client):
    settings.DEBUG = True
    CommentFactory()
    demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())  # twice: still one comment
    (comment,) = Comment.objects.filter(user__username=demo.USERNAME)
    assert comment.status == CommentStatus.APPROVED and comment.author_name == demo.NAME
    assert client.post("/accounts/login/", {"login": demo.EMAIL, "password": demo.PASSWORD}).status_code == 302
    demo.reset(stdout=io.StringIO())
    assert not get_user_model().objects.filter(username=demo.USERNAME).exists()
    assert not Comment.objects.filter(body=demo.BODY).exists()
