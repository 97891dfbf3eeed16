from django.conf import settings

from . import cache as page_cache
from .models import Section

SECTIONS_VERSION_KEY = "articles:nav-sections:v"  # a new value whenever a section changes (signals.py)


def site(request):
    """The site name and the section navigation, cached (it changes only when editors edit sections)."""
    sections = page_cache.fragment(
        "articles:nav-sections",
        SECTIONS_VERSION_KEY,
        lambda: [(s.name, s.get_absolute_url()) for s in Section.objects.all()],
        timeout=3600,
    )
    return {"site_name": settings.SITE_NAME, "nav_sections": sections}
