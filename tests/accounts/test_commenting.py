import pytest
from django.urls import reverse

from comments.models import Comment, CommentStatus
from tests.comments.conftest import comment_data, create_url
from tests.factories import ArticleFactory, CommentFactory

from .conftest import make_reader, sign_in
from .test_account_page import own_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 2
    settings.COMMENTS_RATE_POST_IP = ["1000/m"]
    settings.COMMENTS_RATE_POST_AUTHOR = ["1000/m"]


def post(client, article, **fields):
    data = comment_data(article, **fields)
    del data["author_name"], data["email"]
    return client.post(create_url(article), data)


def test_the_comment_form_does_not_ask_a_signed_in_reader_for_name_or_address(reader_client, article):
    html = reader_client.get(article.get_absolute_url()).content.decode()
    assert 'name="body"' in html
    assert 'name="author_name"' not in html and 'name="email"' not in html


def test_a_signed_in_reader_comments_under_the_account_name(reader_client, reader, article):
    response = post(reader_client, article, author_name="Някой друг", body="Мнение от профила ми, подробно.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.user_id == reader.pk
    assert comment.author_name == "Мария Читателка" and comment.email == reader.email


def test_a_new_reader_is_held_until_comments_were_approved(reader_client, reader, article):
    post(reader_client, article, body="Първото ми мнение под статията.")
    assert Comment.objects.get().status == CommentStatus.PENDING


def test_a_reader_with_enough_approved_comments_is_not_held(reader_client, reader, article):
    own_comment(reader), own_comment(reader)
    post(reader_client, article, body="Поредното ми мнение под статията.")
    assert Comment.objects.filter(article=article).get().status == CommentStatus.APPROVED


def test_approved_guest_comments_under_a_verified_address_count_for_the_account(reader_client, reader, article):
    from comments.security import author_key, email_hash

    key = author_key(user_id=None, email_hash=email_hash(reader.email), ip_hash="")
    CommentFactory.create_batch(2, email=reader.email, author_key=key)
    post(reader_client, article, body="Вече имам одобрени мнения като гост.")
    assert Comment.objects.filter(article=article).get().status == CommentStatus.APPROVED


def test_guest_comments_under_an_address_nobody_verified_do_not_count(client, article):
    from comments.security import author_key, email_hash

    reader = make_reader(email="claimed@example.org", verified=True)
    # An address the account never verified: someone else's comments under it are not this reader's history.
    key = author_key(user_id=None, email_hash=email_hash("someone-else@example.org"), ip_hash="")
    CommentFactory.create_batch(2, email="someone-else@example.org", author_key=key)
    sign_in(client, reader.email)
    post(client, article, body="Опит да ползвам чужда история.")
    assert Comment.objects.filter(article=article).get().status == CommentStatus.PENDING


def test_the_article_page_shows_edit_links_beside_the_readers_fresh_comments_in_any_browser(client, reader):
    article = ArticleFactory()
    mine = own_comment(reader, article=article)
    theirs = CommentFactory(article=article)
    sign_in(client, reader.email)  # a browser with no cookie listing the comment
    html = client.get(article.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[mine.pk]) in html
    assert reverse("comments:edit", args=[theirs.pk]) not in html
    response = client.post(reverse("comments:edit", args=[mine.pk]), {"body": "Поправеното ми мнение, с още думи."})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.body == "Поправеното ми мнение, с още думи."


def test_a_reader_cannot_edit_another_readers_comment(reader_client):
    other = make_reader(email="petar@example.org", name="Петър")
    theirs = own_comment(other)
    response = reader_client.post(reverse("comments:edit", args=[theirs.pk]), {"body": "Чужда промяна на текста."})
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.body != "Чужда промяна на текста."


def test_the_article_page_keeps_its_budget_for_a_signed_in_reader(reader_client, reader, django_assert_max_num_queries):
    few, many = ArticleFactory(), ArticleFactory()
    own_comment(reader, article=few)
    for _ in range(50):
        own_comment(reader, article=many)
    # Cold caches: the article page's own budget (13, tests/articles/test_views.py) and the reader's part
    with django_assert_max_num_queries(21) as one:
        reader_client.get(few.get_absolute_url())
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = reader_client.get(many.get_absolute_url()).content.decode()
    assert html.count('class="comment-own ') == 50
