"""What the newsroom puts on top of the site: the home page's arrangement and the breaking-news banner."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Section, Status

BREAKING_HOURS = 3  # how long a new banner stays unless the editor says otherwise
SECONDARY_LIMIT = 4  # the row of secondary stories under the lead
SECTION_STORIES = 4  # a section block's size unless an arrangement says otherwise
SECTION_STORIES_MAX = 12

# The newsroom picks among published articles (a scheduled one shows once its time comes).
PUBLISHED_ONLY = {"status": Status.PUBLISHED}


def default_expiry():
    return timezone.now() + timedelta(hours=BREAKING_HOURS)


class BreakingNewsQuerySet(models.QuerySet):
    def live(self):
        """Banners readers see now: started, not ended, not cleared."""
        now = timezone.now()
        return self.pending().filter(starts_at__lte=now)

    def pending(self):
        """Banners not cleared whose end is still to come (or that have none): shown now or later."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), cleared_at__isnull=True)


class BreakingNews(models.Model):
    """An “Извънредно” banner on every page, from ``starts_at`` until ``expires_at`` or until an editor clears it."""

    headline = models.CharField(
        _("headline"), max_length=160, help_text=_("One short sentence, e.g. “Earthquake in Sofia, no injuries”.")
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=PUBLISHED_ONLY,
        help_text=_("Optional: the banner links to this article while it is published."),
    )
    url = models.URLField(
        _("or an address"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Optional, instead of an article: e.g. a live page or an official statement."),
    )
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("shown until"),
        null=True,
        blank=True,
        default=default_expiry,
        help_text=_("Empty: until an editor clears it. The banner goes from every page at this time."),
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BreakingNewsQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("breaking-news banner")
        verbose_name_plural = _("breaking-news banners")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("starts_at")),
                name="breaking_news_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["cleared_at", "expires_at"], name="breaking_news_pending")]

    def __str__(self):
        return self.headline

    def clean(self):
        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise ValidationError({"expires_at": _("The banner must end after it starts.")})
        if self.article_id and self.url:
            raise ValidationError({"url": _("Link to an article or to an address, not both.")})

    @property
    def is_live(self) -> bool:
        """The same rule as ``BreakingNewsQuerySet.live``, for one instance."""
        now = timezone.now()
        return self.cleared_at is None and self.starts_at <= now and (self.expires_at is None or now < self.expires_at)


class ArrangementQuerySet(models.QuerySet):
    def applicable(self):
        """Arrangements whose time has come, the one readers see first."""
        return self.filter(active_from__lte=timezone.now()).order_by("-active_from", "-pk")

    def upcoming(self):
        """Arrangements set for a time still to come."""
        return self.filter(active_from__gt=timezone.now())


class Arrangement(models.Model):
    """The home page as editors arrange it: the lead, a row of secondary stories, the section blocks' order and
    size. The newest one whose ``active_from`` has come applies; the newest articles fill whatever is not pinned."""

    name = models.CharField(_("name"), max_length=100, help_text=_("For the newsroom only, e.g. “Election night”."))
    active_from = models.DateTimeField(
        _("applies from"),
        default=timezone.now,
        db_index=True,
        help_text=_(
            "The newest arrangement whose time has come is the one readers see. Set a later time to prepare one "
            "in advance."
        ),
    )
    lead = models.ForeignKey(
        Article,
        verbose_name=_("lead story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=PUBLISHED_ONLY,
        help_text=_("Empty: the newest top story, as without an arrangement."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ArrangementQuerySet.as_manager()

    class Meta:
        ordering = ["-active_from", "-pk"]
        verbose_name = _("front page arrangement")
        verbose_name_plural = _("front page arrangements")

    def __str__(self):
        return self.name


class ArrangementStory(models.Model):
    """A secondary story of an arrangement, in the row under the lead."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="secondary")
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+", limit_choices_to=PUBLISHED_ONLY
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Smaller numbers first."))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("secondary story")
        verbose_name_plural = _("secondary stories")
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "article"], name="arrangement_story_once"),
        ]

    def __str__(self):
        return str(self.article)


class BlockSize(models.TextChoices):
    LARGE = "large", _("Large: cards with pictures")
    COMPACT = "compact", _("Compact: headlines only")


class ArrangementSection(models.Model):
    """A section block of an arrangement: where it stands on the home page, how many stories it shows and how."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="sections")
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Smaller numbers first."))
    stories = models.PositiveSmallIntegerField(
        _("stories"),
        default=SECTION_STORIES,
        validators=[MaxValueValidator(SECTION_STORIES_MAX)],
        help_text=_("0 hides the block."),
    )
    size = models.CharField(_("size"), max_length=10, choices=BlockSize.choices, default=BlockSize.LARGE)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section block")
        verbose_name_plural = _("section blocks")
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "section"], name="arrangement_section_once"),
        ]

    def __str__(self):
        return str(self.section)
