import io

import pytest

from articles.demo import STORIES, story_slug
from articles.models import Article
from comments import demo
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
