"""Cache upkeep only: the footer of every page lists the pages (docs/caching.md)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.signals import site_changed

from .models import Page


@receiver([post_save, post_delete], sender=Page)
def page_changed(sender, **kwargs):
    site_changed()
