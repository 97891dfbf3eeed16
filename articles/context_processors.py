from django.conf import settings
from django.core.cache import cache

from .models import Section

SECTIONS_CACHE_KEY = "articles:nav-sections"


def site(request):
    """The site name and the section navigation, cached (it changes only when editors edit sections)."""
    sections = cache.get(SECTIONS_CACHE_KEY)
    if sections is None:
        sections = [(s.name, s.get_absolute_url()) for s in Section.objects.all()]
        cache.set(SECTIONS_CACHE_KEY, sections, 300)
    return {"site_name": settings.SITE_NAME, "nav_sections": sections}
