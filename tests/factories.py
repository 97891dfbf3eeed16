import itertools
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from articles.models import Status


def png_bytes(width=64, height=48, color=(180, 30, 40), fmt="PNG") -> bytes:
    """A small real image, made with Pillow."""
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buf, fmt)
    return buf.getvalue()


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")

    class Params:
        staff = factory.Trait(is_staff=True, is_superuser=True)


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Section"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Раздел {n}")
    slug = factory.Sequence(lambda n: f"razdel-{n}")
    position = factory.Sequence(int)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Tag"

    name = factory.Sequence(lambda n: f"етикет {n}")
    slug = factory.Sequence(lambda n: f"etiket-{n}")


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Source"

    name = factory.Sequence(lambda n: f"Агенция {n}")
    short_name = factory.Sequence(lambda n: f"АГ{n}")
    slug = factory.Sequence(lambda n: f"agentsia-{n}")
    url = "https://agency.example/"
    attribution = factory.LazyAttribute(lambda s: f"предаде {s.short_name}")


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Author"

    name = factory.Sequence(lambda n: f"Автор Авторов {n}")
    slug = factory.Sequence(lambda n: f"avtor-{n}")


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Image"
        skip_postgeneration_save = True

    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="test.png"))
    caption = "Изглед от центъра на София"
    credit = "БГНЕС"
    alt_text = "Площад с хора и сгради"

    @factory.post_generation
    def with_renditions(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from articles.images import build_renditions

            self.renditions = build_renditions(self.file.name, self.width)
            self.save(update_fields=["renditions"])


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = "articles.Article"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Заглавие на новина номер {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    lead = "Кратко изречение, което обобщава новината."
    body = "<p>Първи абзац.</p><p>Втори абзац.</p>"
    section = factory.SubFactory(SectionFactory)
    source = factory.SubFactory(SourceFactory)
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)
        scheduled = factory.Trait(published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1)))
        with_image = factory.Trait(lead_image=factory.SubFactory(ImageFactory))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.add(*extracted)

    @factory.post_generation
    def pinned(self, create, extracted, **kwargs):
        if create and extracted:
            self.pinned_related.add(*extracted)


class PageFactory(DjangoModelFactory):
    """A page of the site itself (pages app), such as За нас."""

    class Meta:
        model = "pages.Page"
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Страница {n}")
    slug = factory.Sequence(lambda n: f"stranitsa-{n}")
    body = "<p>Текст на страницата.</p>"
    position = factory.Sequence(int)


# --- comments ---------------------------------------------------------------------------------------------


class CommentFactory(DjangoModelFactory):
    """An approved comment; ``parent=`` makes a reply on the parent's article. Keeps the counters right."""

    class Meta:
        model = "comments.Comment"

    article = factory.LazyAttribute(lambda o: o.parent.article if o.parent else ArticleFactory())
    parent = None
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)
    reply_to = factory.LazyAttribute(lambda o: o.parent)
    reply_to_name = factory.LazyAttribute(lambda o: o.parent.author_name if o.parent else "")
    author_name = factory.Sequence(lambda n: f"Читател {n}")
    body = factory.Sequence(lambda n: f"Мнение номер {n} по темата на деня.")
    status = "approved"
    reason = "accepted"
    ip_hash = factory.Sequence(lambda n: f"{n:064x}")
    author_key = factory.LazyAttribute(lambda o: f"i:{o.ip_hash}")

    class Params:
        pending = factory.Trait(status="pending", reason="new_author")
        removed = factory.Trait(status="removed")
        rejected = factory.Trait(status="rejected", reason="banned_word")
        spam = factory.Trait(status="spam")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        from articles.models import Article
        from comments.models import path_segment

        comment = super()._create(model_class, *args, **kwargs)
        parent = comment.parent
        comment.thread_id = parent.thread_id if parent else comment.pk
        comment.path = (parent.path if parent else "") + path_segment(comment.pk)
        model_class.objects.filter(pk=comment.pk).update(thread_id=comment.thread_id, path=comment.path)
        if comment.is_visible:
            Article.objects.filter(pk=comment.article_id).update(comment_count=F("comment_count") + 1)
            model_class.objects.filter(pk=comment.thread_id).update(thread_visible_count=F("thread_visible_count") + 1)
            if parent is None:
                comment.thread_visible_count += 1
        return comment


class VoteFactory(DjangoModelFactory):
    class Meta:
        model = "comments.Vote"

    comment = factory.SubFactory(CommentFactory)
    voter_key = factory.Sequence(lambda n: f"i:voter{n}")
    value = 1


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = "comments.Report"

    comment = factory.SubFactory(CommentFactory)
    reporter_key = factory.Sequence(lambda n: f"i:reporter{n}")
    reason = "insult"


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = "comments.Block"

    ip_hash = factory.Sequence(lambda n: f"blocked{n}")


_newsroom_users = itertools.count(1)


def newsroom_user(role: str, username: str | None = None, *, author_name: str = ""):
    """A staff user in one newsroom role group (articles/roles.py), with an Author profile for writers."""
    from articles.models import Author
    from articles.roles import AUTHOR, EDITOR, group_for, sync_roles

    sync_roles()  # the migration made the groups; a flushed (transactional) database needs them again
    user = UserFactory(username=username or f"{role}-{next(_newsroom_users)}", is_staff=True)
    user.groups.add(group_for(role))
    if role in (AUTHOR, EDITOR):
        Author.objects.get_or_create(user=user, defaults={"name": author_name or user.username})
    return user


# --- live updates and corrections ---------------------------------------------------------------------------


class LiveUpdateFactory(DjangoModelFactory):
    """An update of a live story, a minute old."""

    class Meta:
        model = "articles.LiveUpdate"

    article = factory.SubFactory(ArticleFactory, is_live=True)
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    body = factory.Sequence(lambda n: f"<p>Обновяване номер {n}: пътят е отворен.</p>")


class ArticleNoteFactory(DjangoModelFactory):
    """A correction at the end of an article."""

    class Meta:
        model = "articles.ArticleNote"

    article = factory.SubFactory(ArticleFactory)
    kind = "correction"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    text = factory.Sequence(lambda n: f"Поправка {n}: вярната дата е 12 декември.")
