"""Shared steps of the browser journeys: the data a reader meets, serving media, signing in."""

import mimetypes
import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from articles.templatetags.article_tags import dateline
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    newsroom_user,
)

PASSWORD = "dalga-parola-za-brauzara-42"
SOURCE_URL = "https://www.bta.bg/bg/news/bulgaria/1234567-shtarkelite"


def serve_media(context, live_server) -> None:
    """Serve MEDIA_ROOT to ``context`` as nginx does in production (the live server serves static files only)."""
    root = Path(settings.MEDIA_ROOT)

    def handle(route):
        name = route.request.url.split(settings.MEDIA_URL, 1)[1].split("?", 1)[0]
        path = (root / name).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            route.fulfill(status=404, body="")
            return
        route.fulfill(
            status=200,
            body=path.read_bytes(),
            headers={"Content-Type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"},
        )

    context.route(re.compile(re.escape(live_server.url + settings.MEDIA_URL) + ".*"), handle)


def expected_dateline(when) -> str:
    """The date line as readers see it: “5 декември, 2025 14:32”, Bulgarian, Europe/Sofia."""
    with translation.override("bg"):
        return dateline(when)


def reader_article(*, threads: int = 4, title: str = "Щъркелите се завръщат в Бургас"):
    """A full article as the newsroom publishes it: section, tags, source with its original, author, lead image,
    two related stories and ``threads`` top-level comments (newest last)."""
    section = SectionFactory(name="България")
    tags = [TagFactory(name="птици"), TagFactory(name="Бургас")]
    source = SourceFactory(name="Българска телеграфна агенция", short_name="БТА", attribution="предаде БТА")
    author = AuthorFactory(name="Мария Иванова")
    article = ArticleFactory(
        title=title,
        lead="Първите щъркели кацнаха край Бургаските езера.",
        section=section,
        tags=tags,
        source=source,
        source_url=SOURCE_URL,
        authors=[author],
        with_image=True,
        published_at=timezone.now() - timedelta(hours=2),
    )
    related = [
        ArticleFactory(
            title=f"Свързана новина {i}",
            section=section,
            tags=tags[:1],
            published_at=timezone.now() - timedelta(hours=3 + i),
        )
        for i in range(2)
    ]
    comments = [
        CommentFactory(article=article, author_name=f"Читател {i}", body=f"Мнение {i}: хубава новина.")
        for i in range(threads)
    ]
    return article, related, comments


def staff_user(role: str):
    """A fresh newsroom account in one role (a new user per test: django-axes counts failures per user)."""
    user = newsroom_user(role)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, live_server, user, next_url: str | None = None) -> None:
    next_url = next_url or reverse("admin:index")
    page.goto(f"{live_server.url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")
