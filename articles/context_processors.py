from django.conf import settings
from django.utils.functional import SimpleLazyObject

import caching

from .models import Section


def site(request):
    """The site name and the section navigation (a fragment, read when a template shows it)."""
    sections = SimpleLazyObject(
        lambda: caching.fragment(
            request, "nav-sections", lambda: [(s.name, s.get_absolute_url()) for s in Section.objects.all()]
        )
    )
    return {"site_name": settings.SITE_NAME, "nav_sections": sections}
