"""The body-media demo seeder (articles/demo_body_media.py)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from articles import demo, demo_body_media
from articles.models import Article, Image

pytestmark = pytest.mark.django_db

REAL_DRAW = demo.draw_picture


@pytest.fixture(autouse=True)
def only_this_seeder(monkeypatch, settings):
    """Only this seeder, with small pictures (intake and renditions still run)."""
    settings.DEMO_SEEDERS = ["articles.demo_body_media.seed"]
    monkeypatch.setattr(demo, "draw_picture", lambda section, seed: REAL_DRAW(section, seed).resize((300, 200)))


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seeds_a_photo_report_and_a_video_story_once():
    assert "6 pictures (6 drawn)" in seed()
    assert "6 pictures (0 drawn)" in seed()  # a second run draws and writes nothing
    report = Article.objects.get(slug=demo_body_media.REPORT_SLUG)
    assert report.is_public and report.body_images.count() == 2 and report.gallery_images.count() == 5
    page = Client().get(report.get_absolute_url()).content.decode()
    assert page.count("article__figure--inline") == 2 and page.count("gallery__figure") == 5
    video = Article.objects.get(slug=demo_body_media.VIDEO_SLUG)
    response = Client().get(video.get_absolute_url())
    assert "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE" in response.content.decode()
    assert "frame-src https://www.youtube-nocookie.com" in response.headers["Content-Security-Policy"]


def test_reset_removes_the_stories_and_their_pictures():
    seed()
    demo_body_media.reset(stdout=StringIO())
    assert not Article.objects.filter(slug__in=[demo_body_media.REPORT_SLUG, demo_body_media.VIDEO_SLUG]).exists()
    assert not Image.objects.filter(caption__in=[p[1] for p in demo_body_media.PICTURES.values()]).exists()
