import io
import re

import pytest

from articles.demo import STORIES, story_slug
from articles.models import Article
from comments import demo
from comments.demo_content import STORY_TEXTS
from comments.models import Comment, CommentStatus
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_articles():
    return [
        ArticleFactory(slug=story_slug(story), is_featured=i == 0, title=story.title)
        for i, story in enumerate(STORIES[:12])
    ]


def test_demo_discussions_are_realistic_threaded_and_idempotent(demo_articles):
    out = io.StringIO()
    demo.seed(stdout=out)
    featured = demo_articles[0]
    total = Comment.objects.count()
    assert Comment.objects.filter(article=featured).count() >= 120
    assert Comment.objects.filter(article=featured, depth__gte=3).exists()
    assert Comment.objects.filter(article=featured, is_pinned=True).count() == 1
    assert Comment.objects.filter(article=featured, is_staff_reply=True).count() == 1
    assert Comment.objects.filter(status=CommentStatus.PENDING).count() >= 2
    assert Comment.objects.filter(report_count__gt=0).exists()
    assert Comment.objects.exclude(article=featured).exists()
    for article in demo_articles:
        visible = Comment.objects.visible().filter(article=article).count()
        assert Article.objects.get(pk=article.pk).comment_count == visible
    for comment in Comment.objects.filter(parent__isnull=False).select_related("parent")[:200]:
        assert comment.path.startswith(comment.parent.path) and comment.depth == comment.parent.depth + 1
    demo.seed(stdout=out)
    assert Comment.objects.count() == total
    assert "0 comments created" in out.getvalue().splitlines()[-1]


def test_demo_article_page_renders(client, demo_articles):
    demo.seed(stdout=io.StringIO())
    response = client.get(demo_articles[0].get_absolute_url())
    assert response.status_code == 200
    assert "Избор на редакцията" in response.content.decode()


def test_demo_reset_removes_the_discussions(demo_articles):
    demo.seed(stdout=io.StringIO())
    demo.reset(stdout=io.StringIO())
    assert not Comment.objects.exists()
    assert Article.objects.get(pk=demo_articles[0].pk).comment_count == 0


# Words only one section's readers would write: none may turn up under another section's story.
VOCABULARY = {
    "sport": re.compile(r"\b(спорт\w*|мач\w*|отбор\w*|момчета\w*|медал\w*|голове?\b|треньор\w*)", re.IGNORECASE),
    "bulgaria": re.compile(r"\b(бюджет\w*|депутат\w*|дефицит\w*|четене)", re.IGNORECASE),
}


def test_demo_comments_fit_the_articles_they_are_under(demo_articles):
    demo.seed(stdout=io.StringIO())
    stories = {story_slug(story): story for story in STORIES}
    written_for = {text: title for title, (openers, replies) in STORY_TEXTS.items() for text in [*openers, *replies]}
    seen = set()
    for comment in Comment.objects.select_related("article"):
        story = stories[comment.article.slug]
        openers, replies = demo.texts_for(story)
        question, answer = demo.QUESTIONS.get(story.title, demo.QUESTION)
        fitting = {*openers, *replies, question, answer, *(body for body, _status, _reason in demo.HELD)}
        assert comment.body in fitting, (story.title, comment.body)
        assert written_for.get(comment.body, story.title) == story.title, (story.title, comment.body)
        for section, words in VOCABULARY.items():
            if story.section != section:
                assert not words.search(comment.body), (story.title, comment.body)
        seen.add(comment.body)
    assert len(seen & set(written_for)) >= 20  # most of what readers say is about the story itself
    featured = demo_articles[0]
    asked = Comment.objects.get(article=featured, is_staff_reply=True).reply_to
    assert asked.body == demo.QUESTIONS[featured.title][0]


def test_demo_discussions_are_the_same_every_time(demo_articles):
    def discussions():
        rows = Comment.objects.order_by("article__slug", "submission_token").values_list(
            "article__slug", "body", "author_name", "depth", "likes"
        )
        return list(rows)

    demo.seed(stdout=io.StringIO())
    first = discussions()
    demo.reset(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    assert discussions() == first
