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
