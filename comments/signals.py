"""Cache upkeep only: the main flow never depends on signals."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ModerationWord
from .moderation import WORDS_CACHE_KEY


@receiver([post_save, post_delete], sender=ModerationWord)
def forget_word_lists(**kwargs):
    cache.delete(WORDS_CACHE_KEY)
