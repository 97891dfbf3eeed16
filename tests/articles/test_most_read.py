import os
import re
import threading
import uuid
from datetime import UTC, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from articles import stats
from articles.models import ArticleViewCount
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
BROWSERS = [
    FIREFOX,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 "
    "Chrome/122.0.0.0 Mobile Safari/537.36",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "TelegramBot (like TwitterBot)",
    "WhatsApp/2.23.20.0",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    "Feedly/1.0 (+http://www.feedly.com/fetcher.html)",
    "",
]


def request(ip="198.51.100.7", agent=FIREFOX, **headers):
    return RequestFactory().get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR=ip, **headers)


def views(article):
    return sum(ArticleViewCount.objects.filter(article=article).values_list("views", flat=True))


def test_one_reader_counts_once_per_article(article):
    assert stats.record_view(request(), article.pk) is True
    assert stats.record_view(request(), article.pk) is False
    assert stats.record_view(request(ip="198.51.100.8"), article.pk) is True
    assert stats.record_view(request(agent=BROWSERS[1]), article.pk) is True
    stats.flush_views()
    assert views(article) == 3


def test_readers_behind_our_proxy_are_told_apart_by_their_forwarded_address(article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = {"ip": "127.0.0.1"}
    assert stats.record_view(request(**behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.1"), article.pk)
    assert stats.record_view(request(**behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"), article.pk)
    assert not stats.record_view(request(**behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"), article.pk)
    # A client cannot pose as many readers by writing the header itself.
    assert stats.record_view(request(ip="203.0.113.5", HTTP_X_FORWARDED_FOR="10.0.0.1"), article.pk)
    assert not stats.record_view(request(ip="203.0.113.5", HTTP_X_FORWARDED_FOR="10.0.0.2"), article.pk)


def test_a_reader_counts_again_after_the_dedupe_window(article, settings):
    # The local-memory cache expires keys by the process clock, which time-machine moves.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dedupe"}}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert stats.record_view(request(), article.pk)
        clock.shift(timedelta(seconds=settings.VIEW_DEDUPE_SECONDS - 60))
        assert not stats.record_view(request(), article.pk)
        clock.shift(timedelta(seconds=120))
        assert stats.record_view(request(), article.pk)


@pytest.mark.parametrize("agent", BROWSERS)
def test_browsers_are_counted(article, agent):
    assert stats.record_view(request(agent=agent), article.pk)


@pytest.mark.parametrize("agent", BOTS)
def test_bots_are_not_counted(article, agent):
    assert stats.record_view(request(agent=agent), article.pk) is False
    assert stats.flush_views().views == 0


@pytest.mark.parametrize("header", [{"HTTP_SEC_PURPOSE": "prefetch"}, {"HTTP_PURPOSE": "prefetch"}])
def test_prefetches_are_not_counted(article, header):
    assert stats.record_view(request(**header), article.pk) is False


def test_article_page_carries_a_signed_beacon_and_the_beacon_counts(client, article, django_assert_num_queries):
    page = client.get(article.get_absolute_url()).content.decode()
    url = stats.beacon_url(article)
    assert f'<img class="view-beacon" src="{url}" alt="" width="1" height="1">' in page
    assert stats.flush_views().views == 0  # rendering the page counts nothing by itself
    with django_assert_num_queries(0):
        response = client.get(url, HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    client.get(url, HTTP_USER_AGENT=FIREFOX)
    stats.flush_views()
    assert views(article) == 1


def test_beacon_with_a_forged_token_counts_nothing(client, article):
    response = client.get(f"/stats/view/{article.pk}/0123456789abcdef/", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 200
    assert stats.flush_views().views == 0


def test_previews_carry_no_beacon(staff_client):
    article = ArticleFactory(scheduled=True)
    assert "/stats/view/" not in staff_client.get(article.get_absolute_url()).content.decode()


def test_flush_writes_hourly_rows_and_adds_to_them(article):
    now = timezone.now()
    for n in range(3):
        stats.record_view(request(ip=f"203.0.113.{n}"), article.pk, now=now - timedelta(hours=2))
    stats.record_view(request(ip="203.0.113.9"), article.pk, now=now)
    result = stats.flush_views(now=now)
    assert (result.views, result.rows) == (4, 2)
    hours = dict(ArticleViewCount.objects.values_list("hour", "views"))
    this_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    assert hours == {this_hour - timedelta(hours=2): 3, this_hour: 1}

    assert stats.flush_views(now=now).views == 0  # nothing counted twice
    stats.record_view(request(ip="203.0.113.10"), article.pk, now=now)
    stats.flush_views(now=now)
    assert ArticleViewCount.objects.get(hour=this_hour).views == 2


def test_flush_skips_deleted_articles_and_prunes_old_rows(article, settings):
    old = ArticleViewCount.objects.create(
        article=article, hour=timezone.now() - timedelta(days=settings.VIEW_COUNT_KEEP_DAYS + 1), views=5
    )
    stats.record_view(request(), 987654321)
    result = stats.flush_views()
    assert result.rows == 0 and result.pruned == 1
    assert not ArticleViewCount.objects.filter(pk=old.pk).exists()


def test_flush_gives_counts_back_when_the_database_write_fails(article, monkeypatch):
    stats.record_view(request(), article.pk)

    def broken(taken):
        raise RuntimeError("database down")

    monkeypatch.setattr(stats, "_write_counts", broken)
    with pytest.raises(RuntimeError):
        stats.flush_views()
    monkeypatch.undo()
    assert stats.flush_views().views == 1


def test_flush_views_command(article):
    stats.record_view(request(), article.pk)
    out = StringIO()
    call_command("flush_views", stdout=out)
    assert "Flushed 1 views into 1 hourly rows" in out.getvalue()


def test_only_one_flush_runs_at_a_time(article):
    cache.add(stats.FLUSH_LOCK_KEY, 1, 60)
    with pytest.raises(CommandError):
        call_command("flush_views")


def add_views(article, hours_ago, count):
    hour = (timezone.now() - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    ArticleViewCount.objects.create(article=article, hour=hour, views=count)


def test_most_read_boxes_rank_by_views_in_the_window(django_assert_num_queries):
    today, this_week, draft = ArticleFactory(title="Днес"), ArticleFactory(title="Тази седмица"), ArticleFactory()
    add_views(today, 1, 50)
    add_views(this_week, 3 * 24, 500)
    add_views(this_week, 2, 10)
    add_views(draft, 1, 1000)
    draft.status = "draft"
    draft.save()
    commented = ArticleFactory(title="Спорна", comment_count=40)
    ArticleFactory(title="Тиха", comment_count=3)
    ArticleFactory(title="Стара спорна", comment_count=90, published_at=timezone.now() - timedelta(days=9))
    with django_assert_num_queries(1 if connection.features.supports_slicing_ordering_in_compound else 3):
        boxes = stats.most_read_boxes(None)
    assert [title for title, _, _ in boxes["day"]] == ["Днес", "Тази седмица"]
    assert [(title, n) for title, _, n in boxes["week"]] == [("Тази седмица", 510), ("Днес", 50)]
    assert [(title, n) for title, _, n in boxes["commented"]] == [("Спорна", 40), ("Тиха", 3)]
    assert boxes["day"][0][1] == today.get_absolute_url()
    with django_assert_num_queries(0):
        assert stats.most_read_boxes(None) == boxes
    assert commented


def test_flushed_views_reach_the_boxes_within_the_cache_ttl(article, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert stats.most_read_boxes(None)["day"] == []
        stats.record_view(request(), article.pk)
        stats.flush_views()
        clock.shift(settings.PAGE_CACHE_TTL + 1)
        assert [title for title, _, _ in stats.most_read_boxes(None)["day"]] == [article.title]


def test_home_and_article_pages_show_the_boxes(client):
    read, commented = ArticleFactory(title="Четена новина"), ArticleFactory(title="Коментирана", comment_count=7)
    add_views(read, 1, 10)
    for url in ("/", ArticleFactory().get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Най-четени" in html and "Най-коментирани" in html, url
        assert html.count('id="most-read-heading"') == 1 and html.count('id="most-commented-heading"') == 1
        assert f'<a href="{read.get_absolute_url()}">Четена новина</a>' in html
        assert f'<a href="{commented.get_absolute_url()}">Коментирана</a>' in html and "7 коментара" in html
    # The only article commented on, on its own page: nothing else to list there.
    own = client.get(commented.get_absolute_url()).content.decode()
    assert "Най-четени" in own and "Най-коментирани" not in own


def box_titles(html: str) -> dict[str, list[str]]:
    """The titles in each of the boxes as the page shows them."""
    aside = html.split('<aside class="most-read"', 1)[1].split("</aside>", 1)[0]
    boxes = {}
    for heading, items in re.findall(r"<h[23][^>]*>([^<]+)</h[23]>\s*<ol[^>]*>(.*?)</ol>", aside, re.S):
        boxes[heading] = re.findall(r"<a [^>]*>([^<]+)</a>", items)
    return boxes


def test_article_page_leaves_itself_out_of_the_boxes_and_keeps_them_as_long(client, settings):
    settings.MOST_READ_LIMIT = 3
    stories = [ArticleFactory(title=f"Новина {i}", comment_count=10 - i) for i in range(5)]
    for i, story in enumerate(stories):
        add_views(story, 1, 100 - i)
    everywhere = ["Новина 0", "Новина 1", "Новина 2"]
    expected = {"Последните 24 часа": everywhere, "Последните 7 дни": everywhere, "Най-коментирани": everywhere}

    assert box_titles(client.get("/").content.decode()) == expected
    assert box_titles(client.get(stories[4].get_absolute_url()).content.decode()) == expected  # not in the boxes
    without = ["Новина 0", "Новина 2", "Новина 3"]
    assert box_titles(client.get(stories[1].get_absolute_url()).content.decode()) == {
        "Последните 24 часа": without,
        "Последните 7 дни": without,
        "Най-коментирани": without,
    }
    assert box_titles(client.get("/").content.decode()) == expected  # the shared boxes are left as they were


def test_an_article_in_the_boxes_builds_its_own_boxes_once(client, django_assert_num_queries):
    story = ArticleFactory(comment_count=3)
    add_views(story, 1, 10)
    client.get("/")
    # A parameter the page does not declare: answered, never stored, so the view runs each time.
    client.get(story.get_absolute_url() + "?from=test")
    # The article (its id, its row, tags, authors, pictures in the text, gallery): every fragment is warm.
    with django_assert_num_queries(6):
        assert client.get(story.get_absolute_url() + "?from=test").status_code == 200


# Against a real Redis: atomic counters shared by many clients.


@pytest.fixture
def redis_cache(settings):
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    prefix = f"test-views-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}
    yield cache
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.redis
def test_redis_counts_concurrent_readers_exactly(redis_cache):
    first, second = ArticleFactory(), ArticleFactory()
    from django.core.cache import caches
    from django_redis.cache import RedisCache

    assert isinstance(caches["default"], RedisCache)

    def read(worker):
        for n in range(25):
            ip = f"10.{worker}.0.{n}"
            stats.record_view(request(ip=ip), first.pk)
            stats.record_view(request(ip=ip), first.pk)  # the same reader again: not counted
            if n % 5 == 0:
                stats.record_view(request(ip=ip), second.pk)

    threads = [threading.Thread(target=read, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = stats.flush_views()
    assert (views(first), views(second)) == (200, 40)
    assert result.views == 240
    assert stats.flush_views().views == 0


@pytest.mark.redis
def test_redis_keeps_views_arriving_during_a_flush(redis_cache, monkeypatch):
    article = ArticleFactory()
    stats.record_view(request(ip="10.0.0.1"), article.pk)
    original = stats._write_counts

    def write_while_readers_arrive(taken):
        stats.record_view(request(ip="10.0.0.2"), article.pk)
        return original(taken)

    monkeypatch.setattr(stats, "_write_counts", write_while_readers_arrive)
    assert stats.flush_views().views == 1
    monkeypatch.undo()
    assert stats.flush_views().views == 1
    assert views(article) == 2
