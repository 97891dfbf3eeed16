"""RSS 2.0 and Atom feeds: the latest articles, and those of one section, tag or source.

Each item carries the headline, lead, absolute link, publication and update time (Sofia time, with
its offset), authors, section and tags as categories, and the lead image (1200 wide) as an enclosure.
Three or four queries per feed, however many items.
"""

import copy
import html
import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .images import STORAGE_ERRORS
from .models import Article, LiveUpdate, Section, Source, Tag

ENCLOSURE_WIDTH = 1200
SIZE_CACHE_SECONDS = 7 * 24 * 3600  # stored files never change under the same name

# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, unpaired surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Listing kind (FilteredListView.filter_method) -> URL name prefix of its feeds.
SUBJECT_FEEDS = {"in_section": "section", "tagged": "tag", "from_source": "source"}


def feed_links(subject=None, kind: str = "") -> list[tuple[str, str, str]]:
    """``(title, type, url)`` of the feeds a page announces with ``<link rel="alternate">``."""
    site = {"site": settings.SITE_NAME}
    links = [
        (_("%(site)s: latest news (RSS)") % site, "application/rss+xml", reverse("articles:feed")),
        (_("%(site)s: latest news (Atom)") % site, "application/atom+xml", reverse("articles:feed_atom")),
    ]
    prefix = SUBJECT_FEEDS.get(kind)
    if subject is not None and prefix:
        kwargs = {"slug": subject.slug}
        links += [
            (f"{subject.name} (RSS)", "application/rss+xml", reverse(f"articles:{prefix}_feed", kwargs=kwargs)),
            (f"{subject.name} (Atom)", "application/atom+xml", reverse(f"articles:{prefix}_feed_atom", kwargs=kwargs)),
        ]
    return links


def xml_text(value: str) -> str:
    """``value`` with what XML cannot carry replaced by U+FFFD, as an HTML parser would read a NUL."""
    return _NOT_XML.sub("\ufffd", value) if value else value


def live_description(article) -> str:
    """The lead, and for a story with live updates the newest one's text (plain, at most 300 characters)."""
    text = html.unescape(strip_tags(getattr(article, "latest_update", None) or "")).strip()
    if not text:
        return article.lead
    return _("%(lead)s Latest update: %(text)s") % {"lead": article.lead, "text": Truncator(text).chars(300)}


def _rendition_name(image) -> str:
    sizes = sorted(int(w) for w in image.renditions)
    if not sizes:
        return image.file.name
    fit = next((w for w in sizes if w >= ENCLOSURE_WIDTH), sizes[-1])
    return image.renditions[str(fit)]


def _file_sizes(names: list[str]) -> dict[str, int]:
    """Byte sizes of stored files, remembered in the cache (a remote storage answers slowly)."""
    keys = {name: f"feeds:size:{name}" for name in names}
    known = cache.get_many(list(keys.values()))
    sizes, missing = {}, {}
    for name, key in keys.items():
        if key in known:
            sizes[name] = known[key]
        else:
            try:
                sizes[name] = missing[key] = default_storage.size(name)
            except STORAGE_ERRORS:  # the storage not answering: the feed still goes out, without the size
                sizes[name] = 0
    if missing:
        cache.set_many(missing, SIZE_CACHE_SECONDS)
    return sizes


class LatestFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "bg"

    def title(self):
        return _("%(site)s: latest news") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("articles:home")

    def description(self):
        return _("News from Bulgaria and the world")

    def subtitle(self):
        return self.description()

    def author_name(self):
        return settings.SITE_NAME

    def articles(self):
        return Article.objects.published()

    def items(self):
        return self.prepare(self.articles())

    def prepare(self, articles) -> list:
        """The newest items with everything they show loaded, and enclosure sizes looked up at once."""
        items = list(
            articles.select_related("section", "lead_image")
            .prefetch_related("tags", "authors")
            .annotate(latest_update=LiveUpdate.objects.latest_body())  # a live story's newest update
            # Newest first, by the same index the listings use.
            .order_by("-published_at", "-pk")[: settings.FEED_ITEMS]
        )
        images = {a.pk: _rendition_name(a.lead_image) for a in items if a.lead_image_id}
        sizes = _file_sizes(list(images.values()))
        for article in items:
            name = images.get(article.pk)
            article.enclosure = (default_storage.url(name), sizes[name]) if name else None
        return items

    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        # Readers show an RSS description and an Atom type="html" summary as HTML: the plain-text lead goes
        # in escaped, so "<" and "&" show as typed and markup in a lead never becomes markup in a reader.
        return escape(xml_text(live_description(item)))

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item):
        return timezone.localtime(item.content_updated_at or item.published_at)

    def item_author_name(self, item):
        return xml_text(", ".join(author.name for author in item.authors.all())) or None

    def item_categories(self, item):
        return [xml_text(name) for name in (item.section.name, *(tag.name for tag in item.tags.all()))]

    def item_enclosures(self, item):
        if not item.enclosure:
            return []
        url, length = item.enclosure
        mime = mimetypes.guess_type(url)[0] or "application/octet-stream"
        return [Enclosure(self.request.build_absolute_uri(url), str(length), mime)]

    def get_feed(self, obj, request):
        # Enclosure URLs need the request's host; one feed instance serves every request (and
        # thread), so the request goes on a copy.
        feed = copy.copy(self)
        feed.request = request
        return super(LatestFeed, feed).get_feed(obj, request)


class SubjectFeed(LatestFeed):
    """The latest articles of one section, tag or source."""

    model = None
    filter_method = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return xml_text(f"{obj.name} | {settings.SITE_NAME}")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return xml_text(getattr(obj, "description", "") or _("Latest articles: %(name)s") % {"name": obj.name})

    def subtitle(self, obj):
        return self.description(obj)

    def items(self, obj):
        return self.prepare(getattr(self.articles(), self.filter_method)(obj))


class SectionFeed(SubjectFeed):
    model, filter_method = Section, "in_section"


class TagFeed(SubjectFeed):
    model, filter_method = Tag, "tagged"


class SourceFeed(SubjectFeed):
    model, filter_method = Source, "from_source"


class LatestAtomFeed(LatestFeed):
    feed_type = Atom1Feed


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed


class SourceAtomFeed(SourceFeed):
    feed_type = Atom1Feed
