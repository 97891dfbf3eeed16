"""Cache upkeep only: the main flow never depends on signals."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

import caching

from .models import Comment, ModerationWord
from .moderation import WORDS_CACHE_KEY


@receiver([post_save, post_delete], sender=ModerationWord)
def forget_word_lists(**kwargs):
    cache.delete(WORDS_CACHE_KEY)


@receiver([post_save, post_delete], sender=Comment)
def discussion_changed(sender, instance, **kwargs):
    """A comment saved or deleted anywhere (admin, a shell, a data migration through the ORM): its
    article's discussion is out of date. The services say so themselves too, for their bulk updates."""
    caching.article_changed(instance.article_id)
