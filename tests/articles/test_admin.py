"""The newsroom in admin: roles, workflow, scheduling, preview, validation, history, query budgets."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from articles.forms import LEAD_MAX_LENGTH
from articles.models import Article, Status
from articles.roles import AUTHOR, EDITOR, MODERATOR
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    UserFactory,
    newsroom_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"
ADD = "admin:articles_article_add"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def local_parts(when):
    local = timezone.localtime(when)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def form_data(article=None, **overrides):
    """What the article change form posts, from an article (or defaults for a new one)."""
    data = {
        "title": "Щъркелите в България се завръщат",
        "slug": "",
        "lead": "Първите птици кацнаха край Бургас.",
        "body": "<p>Орнитолози преброиха първите двойки.</p>",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        "source_url": "",
        "attribution": "",
        "_save": "Save",
        # The inlines' management forms (pictures in the text, gallery): none posted.
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("body_images", "gallery_images")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    if article is not None:
        data.update(
            title=article.title,
            slug=article.slug,
            lead=article.lead,
            body=article.body,
            status="scheduled" if article.is_scheduled else article.status,
            section=str(article.section_id),
        )
        if article.lead_image_id:
            data["lead_image"] = str(article.lead_image_id)
        if article.source_id:
            data["source"] = str(article.source_id)
        if article.published_at:
            data["published_at_0"], data["published_at_1"] = local_parts(article.published_at)
        data["authors"] = [str(pk) for pk in article.authors.values_list("pk", flat=True)]
        data["tags"] = [str(pk) for pk in article.tags.values_list("pk", flat=True)]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response):
    form = response.context["adminform"].form
    return {field: list(errs) for field, errs in form.errors.items()}


@pytest.fixture
def author():
    return newsroom_user(AUTHOR, author_name="Петър Авторов")


@pytest.fixture
def editor():
    return newsroom_user(EDITOR, author_name="Елена Редакторова")


@pytest.fixture
def moderator():
    return newsroom_user(MODERATOR)


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def ready_image():
    return ImageFactory(caption="Щъркел в гнездо", credit="БГНЕС", alt_text="Щъркел на комин")


# --- access ---------------------------------------------------------------------------


def admin_url_samples():
    """Every URL of the admin site, with sample values in its parameters."""
    article = ArticleFactory()
    values = {
        "object_id": str(article.pk),
        "id": str(article.created_by_id or UserFactory().pk),
        "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
        "app_label": "articles",
        "url": "no-such-page/",
    }
    prefix = reverse("admin:index")

    def walk(patterns, base):
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^"):  # a regex route: app index or the catch-all
                route = "articles/" if "app_label" in route else "no-such-page/"
            route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, base + route)
            elif isinstance(pattern, URLPattern):
                yield pattern.name, base + route

    return list(walk(admin.site.get_urls(), prefix))


def test_every_admin_url_sends_anonymous_visitors_to_sign_in(client):
    samples = admin_url_samples()
    assert len(samples) > 50
    login = reverse("admin:login")
    for name, url in samples:
        response = client.get(url)
        if name == "login":
            assert response.status_code == 200
            continue
        assert response.status_code == 302, url
        target = response.headers["Location"]
        assert target.startswith(login) or (name == "logout" and target == reverse("admin:index")), (url, target)


def test_signed_in_readers_without_staff_status_are_sent_to_sign_in(client):
    client.force_login(UserFactory())
    for url in (reverse(CHANGELIST), reverse(ADD), change_url(ArticleFactory()), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("admin:login"))


def test_moderators_cannot_touch_articles(client, moderator):
    article = ArticleFactory(draft=True)
    client.force_login(moderator)
    for url in (reverse(CHANGELIST), reverse(ADD), change_url(article), reverse("articles:preview", args=[article.pk])):
        assert client.get(url).status_code == 403, url
    response = client.post(change_url(article), form_data(article, title="Подменено заглавие"))
    assert response.status_code == 403
    response = client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]})
    assert response.status_code == 403
    article.refresh_from_db()
    assert (article.title, article.status) != ("Подменено заглавие", Status.PUBLISHED)
    assert article.status == Status.DRAFT


def test_moderators_reach_the_comments_admin(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 200


# --- authors --------------------------------------------------------------------------


def test_an_author_creates_a_draft_credited_to_them(author_client, author):
    section = SectionFactory()
    response = author_client.post(reverse(ADD), form_data(section=str(section.pk), status=Status.REVIEW))
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    assert article.status == Status.REVIEW
    assert article.created_by == author
    assert list(article.authors.all()) == [author.author_profile]
    assert article.slug == "shtarkelite-v-bulgaria-se-zavrashtat"
    assert LogEntry.objects.filter(object_id=str(article.pk), user=author).exists()


def test_an_author_is_offered_only_draft_and_review(author_client):
    html = author_client.get(reverse(ADD)).content.decode()
    select = re.search(r'<select name="status".*?</select>', html, re.S).group()
    values = re.findall(r'<option value="(\w+)"', select)
    assert values == ["draft", "review"]
    assert 'name="published_at_0"' not in html  # read-only for authors


@pytest.mark.parametrize("status", ["published", "scheduled", "archived"])
def test_a_crafted_post_cannot_make_an_author_publish(author_client, ready_image, status):
    section = SectionFactory()
    future = timezone.now() + timedelta(days=1)
    day, time = local_parts(future)
    data = form_data(
        section=str(section.pk),
        lead_image=str(ready_image.pk),
        status=status,
        published_at_0=day,
        published_at_1=time,
    )
    response = author_client.post(reverse(ADD), data)
    assert response.status_code == 200
    assert "status" in errors_of(response)
    assert Article.objects.count() == 0

    own = ArticleFactory(draft=True, created_by=response.wsgi_request.user, lead_image=ready_image)
    response = author_client.post(change_url(own), form_data(own, status=status))
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.status == Status.DRAFT
    assert Article.objects.filter(status=Status.PUBLISHED).count() == 0


def test_a_bulk_publish_by_an_author_changes_zero_rows(author_client, author, ready_image):
    own = ArticleFactory(draft=True, created_by=author, lead_image=ready_image)
    page = author_client.get(reverse(CHANGELIST)).content.decode()
    assert 'value="publish"' not in page and 'value="unpublish"' not in page
    response = author_client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [own.pk]})
    assert response.status_code in (200, 302)
    assert Article.objects.filter(status=Status.PUBLISHED).count() == 0


def test_an_author_sees_and_opens_only_their_own_articles(author_client, author):
    own = ArticleFactory(draft=True, created_by=author, title="Моята чернова")
    credited = ArticleFactory(draft=True, title="Чернова с мое име", authors=[author.author_profile])
    others = ArticleFactory(draft=True, title="Чужда чернова", created_by=newsroom_user(AUTHOR))
    html = author_client.get(reverse(CHANGELIST)).content.decode()
    assert "Моята чернова" in html and "Чернова с мое име" in html
    assert "Чужда чернова" not in html
    assert author_client.get(change_url(own)).status_code == 200
    assert author_client.get(change_url(credited)).status_code == 200
    # Someone else's article does not exist for an author: a redirect to the admin index.
    response = author_client.get(change_url(others))
    assert response.status_code == 302 and response.headers["Location"] == reverse("admin:index")


def test_an_author_cannot_change_another_authors_article_by_post(author_client):
    others = ArticleFactory(draft=True, title="Чужда чернова", created_by=newsroom_user(AUTHOR))
    response = author_client.post(change_url(others), form_data(others, title="Подменено"))
    assert response.status_code == 302
    others.refresh_from_db()
    assert others.title == "Чужда чернова"


def test_an_authors_published_article_is_read_only_to_them(author_client, author):
    article = ArticleFactory(created_by=author, title="Излязла статия")
    response = author_client.get(change_url(article))
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()
    response = author_client.post(change_url(article), form_data(article, title="Тихомълком сменено"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Излязла статия"


def test_an_author_submits_own_drafts_for_review_in_bulk(author_client, author):
    own = ArticleFactory(draft=True, created_by=author)
    response = author_client.post(
        reverse(CHANGELIST), {"action": "submit_for_review", "_selected_action": [own.pk]}, follow=True
    )
    assert "1 статия е изпратена за преглед." in response.content.decode()
    own.refresh_from_db()
    assert own.status == Status.REVIEW
    entry = LogEntry.objects.get(object_id=str(own.pk))
    assert entry.action_flag == CHANGE and "преглед" in entry.get_change_message()


# --- editors: publishing, scheduling, bulk actions -------------------------------------


def test_an_editor_publishes_a_complete_article_and_history_records_it(editor_client, editor, ready_image):
    article = ArticleFactory(draft=True, lead_image=ready_image)
    response = editor_client.post(change_url(article), form_data(article, status=Status.PUBLISHED))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and article.is_public
    assert timezone.now() - article.published_at < timedelta(minutes=1)
    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert editor.username in history


def test_publishing_requires_headline_lead_section_body_and_a_described_image(editor_client):
    data = form_data(title="", lead="", body="<p> </p><script>x</script>", status=Status.PUBLISHED)
    response = editor_client.post(reverse(ADD), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["body"] == ["Публикуваната статия трябва да има текст."]
    assert errors["lead_image"] == ["Публикуваната статия трябва да има водеща снимка."]
    assert "section" in errors and "title" in errors and "lead" in errors
    assert Article.objects.count() == 0


def test_publishing_names_what_the_lead_image_lacks(editor_client):
    image = ImageFactory(caption="Надпис", credit="", alt_text="")
    data = form_data(section=str(SectionFactory().pk), lead_image=str(image.pk), status=Status.PUBLISHED)
    response = editor_client.post(reverse(ADD), data)
    message = errors_of(response)["lead_image"][0]
    assert message == (
        "Преди публикуване попълнете на снимката: автор на снимката, алтернативен текст (в библиотеката със снимки)."
    )


def test_a_draft_may_be_incomplete(editor_client):
    response = editor_client.post(reverse(ADD), form_data(body="", section=str(SectionFactory().pk)))
    assert response.status_code == 302, errors_of(response)
    assert Article.objects.get().status == Status.DRAFT


def test_the_lead_is_limited_to_fit_social_cards(editor_client):
    lead = "д" * (LEAD_MAX_LENGTH + 1)
    response = editor_client.post(reverse(ADD), form_data(lead=lead, section=str(SectionFactory().pk)))
    assert errors_of(response)["lead"] == [
        "Резюмето може да е най-много 200 знака, за да се събира в картите в социалните мрежи (сега е 201)."
    ]
    html = response.content.decode()
    assert 'maxlength="200"' in html


def test_an_editor_schedules_an_article_which_stays_hidden_until_its_time(editor_client, client, ready_image):
    article = ArticleFactory(draft=True, lead_image=ready_image)
    when = timezone.now() + timedelta(hours=2)
    day, time = local_parts(when)
    data = form_data(article, status="scheduled", published_at_0=day, published_at_1=time)
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and article.is_scheduled
    assert not Article.objects.published().filter(pk=article.pk).exists()
    listing = editor_client.get(reverse(CHANGELIST), {"status": "scheduled"}).content.decode()
    assert article.title in listing and "status-badge--scheduled" in listing and "Насрочена" in listing

    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    # The time comes (no cron, no worker): readers' queries compare with now.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    article.refresh_from_db()
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (None, "Изберете дата и час за публикуване на насрочената статия."),
        (timedelta(minutes=-5), "Насрочената статия трябва да има час на публикуване в бъдещето."),
    ],
)
def test_scheduling_needs_a_future_time(editor_client, ready_image, offset, message):
    article = ArticleFactory(draft=True, lead_image=ready_image)
    data = form_data(article, status="scheduled")
    if offset is not None:
        data["published_at_0"], data["published_at_1"] = local_parts(timezone.now() + offset)
    response = editor_client.post(change_url(article), data)
    assert errors_of(response)["published_at"] == [message]
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_a_scheduled_article_opens_with_scheduled_chosen(editor_client):
    article = ArticleFactory(scheduled=True)
    html = editor_client.get(change_url(article)).content.decode()
    assert re.search(r'<option value="scheduled" selected>', html)


def test_bulk_publish_publishes_complete_articles_and_refuses_incomplete_ones(editor_client, editor, ready_image):
    complete = ArticleFactory(draft=True, lead_image=ready_image)
    later = ArticleFactory(draft=True, lead_image=ready_image, published_at=timezone.now() + timedelta(days=1))
    incomplete = ArticleFactory(draft=True, title="Без снимка")
    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [complete.pk, later.pk, incomplete.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "2 статии са публикувани." in html
    assert "Без снимка" in html
    for article in (complete, later, incomplete):
        article.refresh_from_db()
    assert complete.is_public and later.is_scheduled and incomplete.status == Status.DRAFT
    assert LogEntry.objects.filter(user=editor, action_flag=CHANGE).count() == 2


def test_bulk_unpublish_archives_live_articles_and_returns_scheduled_ones_to_drafts(editor_client):
    live = ArticleFactory()
    scheduled = ArticleFactory(scheduled=True)
    response = editor_client.post(
        reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [live.pk, scheduled.pk]}, follow=True
    )
    assert "2 статии са свалени." in response.content.decode()
    live.refresh_from_db()
    scheduled.refresh_from_db()
    assert live.status == Status.ARCHIVED and scheduled.status == Status.DRAFT
    assert not Article.objects.published().exists()


# --- "updated" time --------------------------------------------------------------------


def test_an_edit_to_a_published_text_sets_the_updated_time(editor_client, ready_image):
    article = ArticleFactory(lead_image=ready_image)
    assert article.content_updated_at is None
    response = editor_client.post(change_url(article), form_data(article, lead="Ново резюме след уточнение."))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.content_updated_at is not None
    assert timezone.now() - article.content_updated_at < timedelta(minutes=1)


def test_a_minor_edit_does_not_set_the_updated_time(editor_client, ready_image):
    article = ArticleFactory(lead_image=ready_image)
    html = editor_client.get(change_url(article)).content.decode()
    assert 'name="minor_edit"' in html
    response = editor_client.post(
        change_url(article), form_data(article, title="Поправена печатна грешка", minor_edit="on")
    )
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.title == "Поправена печатна грешка"
    assert article.content_updated_at is None


def test_saving_without_text_changes_or_before_publishing_sets_no_updated_time(editor_client, ready_image):
    published = ArticleFactory(lead_image=ready_image)
    draft = ArticleFactory(draft=True)
    tag = TagFactory()
    editor_client.post(change_url(published), form_data(published, tags=[str(tag.pk)]))
    editor_client.post(change_url(draft), form_data(draft, lead="Друго резюме на черновата."))
    published.refresh_from_db()
    draft.refresh_from_db()
    assert list(published.tags.all()) == [tag]
    assert published.content_updated_at is None and draft.content_updated_at is None


# --- slugs and sanitising ------------------------------------------------------------------


def test_a_blank_slug_is_made_from_the_headline_and_made_unique(editor_client):
    ArticleFactory(slug="sofia")
    section = SectionFactory()
    editor_client.post(reverse(ADD), form_data(title="София", section=str(section.pk)))
    assert Article.objects.filter(slug="sofia-2").exists()


def test_a_taken_slug_is_resolved_and_the_editor_is_told(editor_client):
    ArticleFactory(slug="sofia")
    response = editor_client.post(
        reverse(ADD), form_data(title="Нещо друго", slug="sofia", section=str(SectionFactory().pk)), follow=True
    )
    assert Article.objects.filter(title="Нещо друго", slug="sofia-2").exists()
    assert "Избраният адрес е зает; статията получи „sofia-2“." in response.content.decode()


def test_hostile_html_in_the_body_is_sanitised_through_the_admin_form(editor_client):
    hostile = (
        '<p onclick="steal()">Текст <a href="javascript:alert(1)">връзка</a></p>'
        "<script>alert(1)</script><img src=x onerror=alert(2)><iframe src=//evil.example></iframe>"
        '<h2 style="color:red">Подзаглавие</h2><svg><script>alert(3)</script></svg>'
        '<a href="https://example.org/" target="_blank" onmouseover="x()">добра</a>'
    )
    response = editor_client.post(reverse(ADD), form_data(body=hostile, section=str(SectionFactory().pk)))
    assert response.status_code == 302, errors_of(response)
    body = Article.objects.get().body
    for bad in ("<script", "onclick", "onerror", "onmouseover", "javascript:", "<img", "<iframe", "<svg", "style="):
        assert bad not in body.lower(), bad
    assert "Текст" in body and "<h2>Подзаглавие</h2>" in body
    assert '<a href="https://example.org/" rel="noopener noreferrer">добра</a>' in body


# --- preview -------------------------------------------------------------------------------


def test_staff_preview_shows_a_draft_as_readers_will_see_it(editor_client, ready_image):
    article = ArticleFactory(draft=True, lead_image=ready_image, title="Чернова за преглед")
    response = editor_client.get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Чернова за преглед" in html and "Щъркел в гнездо" in html
    assert "Преглед: читателите още не виждат тази статия." in html
    assert '<meta name="robots" content="noindex' in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control and "max-age=0" in cache_control
    assert "view_beacon" not in html and "/stats/view/" not in html  # previews are not counted as reads


def test_preview_of_a_scheduled_article_says_when_it_goes_out(editor_client):
    article = ArticleFactory(scheduled=True)
    html = editor_client.get(reverse("articles:preview", args=[article.pk])).content.decode()
    assert "насрочена за" in html


def test_preview_sends_anonymous_visitors_to_sign_in_and_refuses_others(client, author):
    article = ArticleFactory(draft=True)
    response = client.get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("admin:login"))
    client.force_login(UserFactory())
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 403
    client.force_login(author)  # an author, but not of this article
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 403
    own = ArticleFactory(draft=True, created_by=author)
    assert client.get(reverse("articles:preview", args=[own.pk])).status_code == 200
    assert client.get(reverse("articles:preview", args=[99999])).status_code == 404


def test_preview_of_a_public_article_goes_to_its_page(editor_client):
    article = ArticleFactory()
    response = editor_client.get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 302 and response.headers["Location"] == article.get_absolute_url()


def test_the_change_form_and_the_list_link_to_the_preview(editor_client):
    article = ArticleFactory(draft=True)
    preview = reverse("articles:preview", args=[article.pk])
    assert f'href="{preview}" class="previewlink"' in editor_client.get(change_url(article)).content.decode()
    assert f'href="{preview}"' in editor_client.get(reverse(CHANGELIST)).content.decode()


def test_view_on_site_of_a_draft_is_its_preview(editor_client):
    article = ArticleFactory(draft=True)
    model_admin = admin.site._registry[Article]
    assert model_admin.get_view_on_site_url(article) == reverse("articles:preview", args=[article.pk])
    public = ArticleFactory()
    assert model_admin.get_view_on_site_url(public).startswith(reverse("admin:view_on_site", args=[1, 1])[:-4])


def test_preview_query_budget(editor_client, django_assert_max_num_queries):
    tags = TagFactory.create_batch(3)
    article = ArticleFactory(draft=True, with_image=True, tags=tags, authors=AuthorFactory.create_batch(2))
    ArticleFactory.create_batch(4, tags=tags)
    editor_client.get(reverse("articles:preview", args=[article.pk]))
    with django_assert_max_num_queries(11):  # 7, the pictures in the text and gallery, live updates and notes
        response = editor_client.get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 200


# --- list, sources, images in the article form ----------------------------------------


def test_changelist_shows_status_colours_filters_and_search(editor_client):
    ArticleFactory(title="Излязла")
    ArticleFactory(draft=True, title="Чернова")
    ArticleFactory(status=Status.REVIEW, published_at=None, title="Чака преглед")
    ArticleFactory(status=Status.ARCHIVED, title="Свалена статия")
    html = editor_client.get(reverse(CHANGELIST)).content.decode()
    for key in ("published", "draft", "review", "archived"):
        assert f'class="status-badge status-badge--{key}"' in html
    assert 'style="' not in re.sub(r"<script.*?</script>", "", html, flags=re.S).split('id="changelist"')[1]
    for label in ("Насрочена", "Чернова", "За преглед", "Свалена"):
        assert label in html
    filtered = editor_client.get(reverse(CHANGELIST), {"status": "review"}).content.decode()
    assert "Чака преглед" in filtered and "Излязла" not in filtered
    found = editor_client.get(reverse(CHANGELIST), {"q": "Свалена"}).content.decode()
    assert "Свалена статия" in found and "Чака преглед" not in found


def test_changelist_query_budget_does_not_grow_with_articles(editor_client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            ArticleFactory(with_image=True, authors=[AuthorFactory()], tags=[TagFactory()])

    make(3)
    editor_client.get(reverse(CHANGELIST))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        editor_client.get(reverse(CHANGELIST))
    make(12)
    editor_client.get(reverse(CHANGELIST))  # new sections: the navigation cache refills once
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert len(many) == len(few)
    with django_assert_num_queries(len(few)):
        editor_client.get(reverse(CHANGELIST))
    assert len(few) <= 12


def test_change_form_query_budget(editor_client, django_assert_max_num_queries):
    article = ArticleFactory(with_image=True, tags=TagFactory.create_batch(5), authors=AuthorFactory.create_batch(3))
    editor_client.get(change_url(article))
    # 11 plus the chosen authors' labels, the pictures in the text and gallery inlines; 3 for live updates and
    # notes (test_live_admin.py)
    with django_assert_max_num_queries(17):
        response = editor_client.get(change_url(article))
    assert response.status_code == 200


def test_the_article_form_shows_the_lead_image_and_the_attribution_readers_see(editor_client, ready_image):
    source = SourceFactory(short_name="БГНЕС", attribution="предаде БГНЕС")
    article = ArticleFactory(draft=True, lead_image=ready_image, source=source, source_url="https://bgnes.example/1")
    html = editor_client.get(change_url(article)).content.decode()
    assert 'class="admin-lead-image"' in html and ready_image.rendition_url(320) in html
    assert "Щъркел в гнездо" in html and "Снимка: БГНЕС" in html
    assert "предаде БГНЕС" in html and "с връзка към https://bgnes.example/1" in html
    override = ArticleFactory(draft=True, source=source, attribution="по информация на БГНЕС")
    assert "по информация на БГНЕС" in editor_client.get(change_url(override)).content.decode()


def test_the_body_uses_the_rich_text_editor_without_inline_code(editor_client):
    html = editor_client.get(reverse(ADD)).content.decode()
    assert 'data-rich-text="article"' in html
    assert '<script src="/static/js/admin-prose.js" type="module"></script>' in html
    assert "/static/django_prose_editor/editor.css" in html
    assert 'data-editor-module="/static/django_prose_editor/editor.js"' in html
    assert "importmap" not in html  # an inline import map would need 'unsafe-inline'
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"<style", html) == []


def test_the_slug_is_prefilled_by_our_transliteration_not_urlify(editor_client):
    html = editor_client.get(reverse(ADD)).content.decode()
    assert 'data-slug-from="id_title"' in html and 'data-slug-max="194"' in html
    assert "/static/js/admin-slug.js" in html
    assert 'data-prepopulated-fields="[]"' in html


def test_the_admin_speaks_bulgarian(editor_client):
    html = editor_client.get(reverse(ADD)).content.decode()
    for text in ("Вестник — Редакция", "Публикуване", "Водеща снимка", "Източник", "Заглавие", "Статус"):
        assert text in html, text


def test_an_author_cannot_read_another_authors_draft_at_its_public_address(author_client):
    others = ArticleFactory(draft=True, title="Чужда чернова", created_by=newsroom_user(AUTHOR))
    assert author_client.get(others.get_absolute_url()).status_code == 404


def test_an_editor_reads_any_draft_at_its_address_uncached(editor_client):
    draft = ArticleFactory(draft=True)
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"] and response.headers["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("model", ["section", "tag", "source", "author", "articleredirect"])
def test_authors_cannot_change_the_desks_lists(author_client, model):
    assert author_client.get(reverse(f"admin:articles_{model}_add")).status_code == 403
    response = author_client.post(reverse(f"admin:articles_{model}_add"), {"name": "Нов", "short_name": "Н"})
    assert response.status_code == 403


def test_an_authors_list_and_form_keep_their_query_budgets(author_client, author, django_assert_max_num_queries):
    for _ in range(8):
        ArticleFactory(draft=True, created_by=author, with_image=True, authors=[AuthorFactory()], tags=[TagFactory()])
    own = ArticleFactory(draft=True, created_by=author, with_image=True, tags=TagFactory.create_batch(3))
    author_client.get(reverse(CHANGELIST))
    with django_assert_max_num_queries(12):
        assert author_client.get(reverse(CHANGELIST)).status_code == 200
    author_client.get(change_url(own))
    with django_assert_max_num_queries(13):  # 11 plus the pictures in the text and gallery inlines
        assert author_client.get(change_url(own)).status_code == 200
