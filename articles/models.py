import html
import math

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.models import Count, F, Q, Sum, Value, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .sanitize import clean_body
from .translit import slugify_bg

# Paths the root URLconf uses; a section may not take one of them as its slug, nor one of digits alone (an
# article's address cut short, /2026/, leads to the archive).
RESERVED_SLUGS = {
    "tag", "source", "author", "archive", "search", "feeds", "feed", "sitemap", "media", "static",
    "comments", "healthz", "robots", "i18n", "preview", "redakcia", "admin", "accounts", "info",
}  # fmt: skip
RESERVED_SLUGS |= {"korekcii"}  # the corrections page (live and corrections, docs/live-and-corrections.md)


def unique_slug(model, text: str, *, instance=None, field: str = "slug", max_length: int = 200) -> str:
    """A slug for ``text`` not yet used by another row of ``model`` (adds -2, -3, ...)."""
    base = slugify_bg(text, max_length=max_length - 6) or "statia"
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    taken = set(others.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
    slug, n = base, 2
    while slug in taken or (model is Section and (slug in RESERVED_SLUGS or slug.isdigit())):
        slug, n = f"{base}-{n}", n + 1
    return slug


class Section(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in RESERVED_SLUGS or self.slug.isdigit():
            raise ValidationError({"slug": _("This address is reserved by the site. Choose another.")})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Section, self.name, instance=self, max_length=60)
        super().save(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, instance=self, max_length=80)
        super().save(*args, **kwargs)


class Source(models.Model):
    """A news agency or outlet a story came from."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, help_text=_("As shown on the page, e.g. БГНЕС."))
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)
    url = models.URLField(_("website"), blank=True)
    attribution = models.CharField(
        _("attribution phrase"),
        max_length=120,
        blank=True,
        help_text=_("How stories credit this source, e.g. “предаде БГНЕС”. Empty: “Източник: <short name>”."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.short_name or self.name, instance=self, max_length=80)
        super().save(*args, **kwargs)


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )
    # From the image library, so a portrait gets the same intake and WebP renditions as any photo.
    photo = models.ForeignKey(
        "Image",
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A portrait from the image library; shown on the author page and in bylines."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, instance=self, max_length=120)
        super().save(*args, **kwargs)


def image_upload_to(instance, filename):
    # The name is generated by images.process_upload; only its base name is kept.
    return f"images/{timezone.now():%Y/%m}/{filename.rsplit('/', 1)[-1]}"


class Image(models.Model):
    file = models.ImageField(_("file"), upload_to=image_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=120, blank=True, help_text=_("e.g. БГНЕС"))
    alt_text = models.CharField(
        _("alternative text"), max_length=250, blank=True, help_text=_("What the image shows, for screen readers.")
    )
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.caption or self.file.name

    def rendition_url(self, width: int) -> str:
        """The URL of the smallest rendition at least ``width`` wide (or the largest there is)."""
        sizes = sorted(int(w) for w in self.renditions)
        if not sizes:
            return self.file.url
        fit = next((w for w in sizes if w >= width), sizes[-1])
        return default_storage.url(self.renditions[str(fit)])

    @property
    def srcset(self) -> str:
        return ", ".join(
            f"{default_storage.url(name)} {w}w" for w, name in sorted(self.renditions.items(), key=lambda i: int(i[0]))
        )

    @property
    def src(self) -> str:
        return self.rendition_url(960)

    @property
    def smallest(self) -> tuple[str, int, int]:
        """URL, width and height of the smallest rendition (the original without any): thumbnails' ``src``."""
        if not self.renditions:
            return self.file.url, self.width, self.height
        width = min(int(w) for w in self.renditions)
        height = round(self.height * width / self.width) if self.width else width
        return default_storage.url(self.renditions[str(width)]), width, height


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("For review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Unpublished")


# What a thumbnail reads of an image (Image.smallest, alt text).
THUMB_FIELDS = ("file", "width", "height", "renditions", "alt_text")
# Reading speed for Article.reading_minutes.
WORDS_PER_MINUTE = 200

# Kinds of related-article candidates, in the order ranking reads them (related_to).
_TAGGED, _NEWEST, _PINNED = 0, 1, 2


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, and their time has come."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published articles whose time has not come yet."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def for_listing(self):
        """What an article card shows: section, source and lead image in the same query."""
        return self.select_related("section", "source", "lead_image").order_by("-published_at", "-pk")

    def for_detail(self):
        """What the article page reads: the article with its section, source and lead image; tags, authors
        (with their photos), pictures."""
        return self.select_related("section", "source", "lead_image").prefetch_related(
            "tags",
            models.Prefetch("authors", queryset=Author.objects.select_related("photo")),
            models.Prefetch("body_images", queryset=BodyImage.objects.select_related("image")),
            models.Prefetch("gallery_images", queryset=GalleryImage.objects.select_related("image")),
        )

    def in_section(self, section):
        return self.filter(section=section)

    def tagged(self, tag):
        return self.filter(tags=tag)

    def from_source(self, source):
        return self.filter(source=source)

    def by_author(self, author):
        return self.filter(authors=author)

    def top_per_section(self, per_section: int = 4):
        """The newest ``per_section`` articles of every section, in one query."""
        ranked = self.annotate(
            section_rank=Window(RowNumber(), partition_by=F("section_id"), order_by=[F("published_at").desc()])
        )
        # Rank ids only, then fetch the few winners: sorting whole rows (bodies included) of every
        # published article cost 100 ms at 5,000 articles (bench/).
        return self.filter(pk__in=ranked.filter(section_rank__lte=per_section).values("pk"))

    def related_to(self, article, limit: int = 6, *, tags=None) -> list:
        """Up to ``limit`` published articles: pinned first, then most shared tags, same section, newest.

        The candidates come from three small index lookups — those sharing a tag (with how many), the
        pinned ones, the newest of the same section (one that shares no tag ranks after all that do, so
        older ones can never make the cut) — and are ranked here; one more query fetches the winners.
        On PostgreSQL the three lookups go as one UNION ALL, so it is two round trips in all. As one
        SQL statement ranking every candidate, PostgreSQL read every article row with its body (46 ms
        at 5,000 articles, bench/), and compiling it cost more than running these. ``tags``: the
        article's tags when the caller has them already.
        """
        tag_ids = [t.pk for t in (article.tags.all() if tags is None else tags)]
        others = self.published().exclude(pk=article.pk).order_by().values_list("pk", "section_id", "published_at")
        tagged = others.filter(tags__in=tag_ids).annotate(shared=Count("pk"), kind=Value(_TAGGED))
        pinned_ids = Article.pinned_related.through.objects.filter(from_article_id=article.pk).values("to_article_id")
        pinned = others.filter(pk__in=pinned_ids).annotate(shared=Value(0), kind=Value(_PINNED))
        newest = others.filter(section_id=article.section_id).annotate(shared=Value(0), kind=Value(_NEWEST))
        parts = [*([tagged] if tag_ids else []), pinned, newest.order_by("-published_at", "-pk")[:limit]]
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            rows = list(parts[0].union(*parts[1:], all=True))  # one round trip (PostgreSQL)
        else:
            rows = [row for part in parts for row in part]
        rank = {}  # pk -> (pinned, shared tags, same section, published_at, pk): higher first
        for pk, section_id, published_at, shared, kind in sorted(rows, key=lambda row: row[4]):
            facts = rank.setdefault(pk, (False, shared, section_id == article.section_id, published_at, pk))
            if kind == _PINNED:
                rank[pk] = (True, *facts[1:])
        winners = sorted(rank, key=rank.__getitem__, reverse=True)[:limit]
        # What the list shows: headline, lead, address and the lead image's thumbnail, in the same query.
        found = (
            self.select_related("lead_image")
            .only(
                "title",
                "lead",
                "slug",
                "published_at",
                "created_at",
                "lead_image",
                *(f"lead_image__{f}" for f in THUMB_FIELDS),
            )
            .in_bulk(winners)
        )
        return [found[pk] for pk in winners]

    def most_read(self, since, limit: int = 5):
        """Published articles with the most page views counted since ``since``, with ``recent_views``."""
        return (
            self.published()
            .filter(view_counts__hour__gte=since)
            .annotate(recent_views=Sum("view_counts__views"))
            .order_by("-recent_views", "-published_at", "-pk")[:limit]
        )

    def most_commented(self, since, limit: int = 5):
        """Published articles since ``since`` with the most visible comments."""
        return (
            self.published()
            .filter(published_at__gte=since, comment_count__gt=0)
            .order_by("-comment_count", "-published_at", "-pk")[:limit]
        )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search vector is read only inside SQL (search); deferring it keeps listings small and
        # keeps save() from writing it back (the database trigger owns it, see migration 0002).
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    title = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    lead = models.CharField(_("lead"), max_length=300, help_text=_("One sentence; shown on cards and social media."))
    body = models.TextField(_("body"), blank=True)
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="articles", blank=True)
    authors = models.ManyToManyField(Author, verbose_name=_("authors"), related_name="articles", blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    source_url = models.URLField(_("original URL"), max_length=500, blank=True)
    attribution = models.CharField(
        _("attribution"),
        max_length=160,
        blank=True,
        help_text=_("Overrides the source's phrase, e.g. “предаде БГНЕС”."),
    )
    lead_image = models.ForeignKey(
        Image,
        verbose_name=_("lead image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    pinned_related = models.ManyToManyField(
        "self", verbose_name=_("related articles (pinned)"), symmetrical=False, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_featured = models.BooleanField(_("top story"), default=False)
    comments_enabled = models.BooleanField(_("comments open"), default=True)
    is_live = models.BooleanField(
        _("live"),
        default=False,
        help_text=_(
            "A developing story: readers see “Live” and new updates appear without reloading. Add the updates under "
            "“Live updates” at the end of this form; untick when the story is over."
        ),
    )
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    content_updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Headline, lead, tags and body as weighted lexemes; kept up to date by a PostgreSQL trigger
    # (articles/migrations/0002_search.py). Always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub"),
            # PostgreSQL only (the migration skips them elsewhere): full-text and typo-tolerant search.
            GinIndex(fields=["search_vector"], name="article_search_vector"),
            GinIndex(fields=["title"], name="article_title_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at or self.created_at or timezone.now())
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": self.slug},
        )

    @property
    def is_public(self) -> bool:
        """The same rule as ``ArticleQuerySet.published``, for one instance."""
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at > timezone.now()

    @property
    def attribution_line(self) -> str:
        """“предаде БГНЕС” or the editor's own wording; empty without a source."""
        if self.attribution:
            return self.attribution
        if self.source_id:
            return self.source.attribution or _("Source: %(name)s") % {"name": self.source.short_name}
        return ""

    @property
    def comments_open(self) -> bool:
        return self.comments_enabled and self.is_public

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at WORDS_PER_MINUTE, rounded up; 0 for an empty body.

        Computed from the body the page has loaded anyway: nothing stored that an ``update()`` could leave stale.
        """
        words = len(html.unescape(strip_tags(self.body or "")).split())
        return math.ceil(words / WORDS_PER_MINUTE)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = getattr(instance, "slug", None)
        return instance

    def clean(self):
        self.body = clean_body(self.body)
        if self.status == Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()

    def save(self, *args, **kwargs):
        self.body = clean_body(self.body)
        if not self.slug:
            self.slug = unique_slug(Article, self.title, instance=self)
        if self.status == Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        old_slug = getattr(self, "_loaded_slug", None)
        # The old address of a story must keep working, whichever code path renames it.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_slug and old_slug != self.slug:
                ArticleRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
                ArticleRedirect.objects.filter(old_slug=self.slug).delete()
        self._loaded_slug = self.slug


class ArticleRedirect(models.Model):
    """An earlier slug of an article, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.old_slug


class ArticleViewCount(models.Model):
    """Page views of one article in one hour, written in batches by ``manage.py flush_views``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_counts")
    hour = models.DateTimeField(_("hour"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("page views")
        verbose_name_plural = _("page views")
        indexes = [models.Index(fields=["hour", "article"], name="article_views_hour")]
        constraints = [models.UniqueConstraint(fields=["article", "hour"], name="article_views_unique_hour")]

    def __str__(self):
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}: {self.views}"


class PlacedImage(models.Model):
    """A library image placed in an article, with this article's own caption, credit or alt text if given."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE)
    image = models.ForeignKey(Image, verbose_name=_("image"), on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=300, blank=True, help_text=_("Empty: the library's."))
    credit = models.CharField(_("credit"), max_length=120, blank=True, help_text=_("Empty: the library's."))
    alt_text = models.CharField(_("alternative text"), max_length=250, blank=True, help_text=_("Empty: the library's."))

    class Meta:
        abstract = True

    def __str__(self):
        return self.shown_caption or str(self.image)

    @property
    def shown_caption(self) -> str:
        return self.caption or self.image.caption

    @property
    def shown_credit(self) -> str:
        return self.credit or self.image.credit

    @property
    def shown_alt_text(self) -> str:
        return self.alt_text or self.image.alt_text


class BodyImage(PlacedImage):
    """A picture inside the story's text, after its N-th block (articles/body.py renders it there)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="body_images"
    )
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        default=1,
        help_text=_(
            "Counted in the text's blocks (paragraphs, subheadings, lists, quotes). 0: before the text; "
            "a number past the end: after it."
        ),
    )

    class Meta:
        ordering = ["after_paragraph", "pk"]
        verbose_name = _("picture in the text")
        verbose_name_plural = _("pictures in the text")


class GalleryImage(PlacedImage):
    """One picture of the article's gallery, shown under the text in ``position`` order."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="gallery_images"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("gallery picture")
        verbose_name_plural = _("gallery")


# --- Live updates and corrections (docs/live-and-corrections.md) ----------------------------------------------


def _public_articles(prefix: str = "article__") -> Q:
    """The rows whose article readers may see (the rule of ``ArticleQuerySet.published``)."""
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


def bump_content_updated(article_id: int, when) -> None:
    """A published article's “updated” time (dateModified, the feeds' updated date) moves forward to ``when``;
    a note on a draft, or dated before publication, leaves it alone."""
    Article.objects.filter(pk=article_id, status=Status.PUBLISHED, published_at__lt=when).filter(
        Q(content_updated_at__isnull=True) | Q(content_updated_at__lt=when)
    ).update(content_updated_at=when)


class LiveUpdateQuerySet(models.QuerySet):
    def public(self):
        """Updates of articles readers may see."""
        return self.filter(_public_articles())

    def for_page(self):
        """What an update shows: its image and author in the same query, newest first."""
        return self.select_related("image", "author").order_by("-published_at", "-pk")

    def after(self, pk: int):
        """Updates added after the one with id ``pk`` (ids grow as updates are added)."""
        return self.filter(pk__gt=pk)

    def latest_body(self):
        """The text of an article's newest update, for ``annotate()`` on articles (one query for a feed)."""
        newest = self.filter(article=models.OuterRef("pk")).order_by("-published_at", "-pk")
        return models.Subquery(newest.values("body")[:1])


class LiveUpdate(models.Model):
    """A timestamped entry of a developing story, shown on the article newest first."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="live_updates"
    )
    published_at = models.DateTimeField(_("time"), default=timezone.now)
    body = models.TextField(_("text"))
    image = models.ForeignKey(
        Image, verbose_name=_("image"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        indexes = [models.Index(fields=["article", "-published_at"], name="liveupdate_article_time")]

    def __str__(self):
        from django.utils.html import strip_tags
        from django.utils.text import Truncator

        when = timezone.localtime(self.published_at).strftime("%d.%m.%Y %H:%M") if self.published_at else ""
        return f"{when} {Truncator(strip_tags(self.body)).words(8)}".strip()

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"

    def save(self, *args, **kwargs):
        self.body = clean_body(self.body)
        if self.published_at is None:
            self.published_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            bump_content_updated(self.article_id, self.published_at)


class NoteKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    UPDATE = "update", pgettext_lazy("article note", "Update")


class ArticleNoteQuerySet(models.QuerySet):
    def public(self):
        """Notes of articles readers may see."""
        return self.filter(_public_articles())

    def for_listing(self):
        """The corrections page: newest first, with what the link to each article needs in the same query."""
        return (
            self.select_related("article")
            .only("kind", "published_at", "text", "article__title", "article__slug", "article__published_at",
                  "article__created_at")
            .order_by("-published_at", "-pk")
        )  # fmt: skip


class ArticleNote(models.Model):
    """A dated correction or update note at the end of an article, also listed on the corrections page."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices, default=NoteKind.CORRECTION)
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(_("text"), help_text=_("What was wrong and what is right now, in a sentence or two."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ArticleNoteQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        verbose_name = _("correction or update note")
        verbose_name_plural = _("corrections and update notes")
        indexes = [models.Index(fields=["-published_at"], name="articlenote_time")]

    def __str__(self):
        from django.utils.text import Truncator

        return f"{self.get_kind_display()}: {Truncator(self.text).words(8)}"

    def save(self, *args, **kwargs):
        if self.published_at is None:
            self.published_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            bump_content_updated(self.article_id, self.published_at)
