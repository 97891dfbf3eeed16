from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import unique_slug
from articles.sanitize import clean_body


class PageQuerySet(models.QuerySet):
    def for_links(self):
        """What a link to a page needs: its title and slug."""
        return self.only("title", "slug")


class Page(models.Model):
    """A page of the site itself, edited in the newsroom: За нас, Контакти, the rules, privacy."""

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order of the footer's links."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        self.body = clean_body(self.body)
        if not self.slug:
            self.slug = unique_slug(Page, self.title, instance=self, max_length=80)
        super().save(*args, **kwargs)
