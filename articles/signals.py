from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import cache as page_cache
from .context_processors import SECTIONS_VERSION_KEY
from .models import Article, Author, Image, Section, Source, Tag


@receiver([post_save, post_delete], sender=Section)
def forget_navigation(**kwargs):
    page_cache.new_version(SECTIONS_VERSION_KEY)


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Source)
@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=Image)
@receiver(m2m_changed, sender=Article.tags.through)
@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.pinned_related.through)
def invalidate_pages(sender, **kwargs):
    """Any change to what pages show makes every cached page stale (articles/cache.py)."""
    if kwargs.get("action", "post_").startswith("post_"):
        page_cache.bump_site()
        if sender is Article:
            page_cache.forget_schedule()
