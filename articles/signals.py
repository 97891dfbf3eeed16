"""Cache upkeep only: any change to what pages show makes everything cached out of date (docs/caching.md)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

import caching

from .models import (
    Article,
    ArticleNote,
    ArticleRedirect,
    Author,
    BodyImage,
    GalleryImage,
    Image,
    LiveUpdate,
    Section,
    Source,
    Tag,
)

SCHEDULE_LIMIT = 1000


def site_changed() -> None:
    """Tell the caches the site changed, and when it will change next without a write (scheduled articles)."""
    scheduled = Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True)
    caching.site_changed(scheduled=scheduled[:SCHEDULE_LIMIT])


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=ArticleRedirect)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Source)
@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=Image)
@receiver([post_save, post_delete], sender=BodyImage)
@receiver([post_save, post_delete], sender=GalleryImage)
@receiver([post_save, post_delete], sender=LiveUpdate)  # the article, the feeds (updated), the corrections page
@receiver([post_save, post_delete], sender=ArticleNote)
@receiver(m2m_changed, sender=Article.tags.through)
@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.pinned_related.through)
def content_changed(sender, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        site_changed()
