"""Cache upkeep only: the banner is on every page and the arrangement on the home page (docs/caching.md)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

import caching

from .models import Arrangement, ArrangementSection, ArrangementStory, BreakingNews

SCHEDULE_LIMIT = 1000


def announce() -> None:
    """Tell the caches the site changed, and when it will change next without a write: a banner starts or ends,
    an arrangement's time comes. Call it after writes that send no signals (``QuerySet.update()``)."""
    now = timezone.now()
    pending = BreakingNews.objects.pending().order_by("expires_at").values_list("starts_at", "expires_at")
    times = [moment for pair in pending[:SCHEDULE_LIMIT] for moment in pair if moment is not None and moment > now]
    times += (
        Arrangement.objects.upcoming().order_by("active_from").values_list("active_from", flat=True)[:SCHEDULE_LIMIT]
    )
    caching.site_changed(scheduled=times)


@receiver([post_save, post_delete], sender=BreakingNews)
@receiver([post_save, post_delete], sender=Arrangement)
@receiver([post_save, post_delete], sender=ArrangementStory)
@receiver([post_save, post_delete], sender=ArrangementSection)
def frontpage_changed(sender, **kwargs):
    announce()
