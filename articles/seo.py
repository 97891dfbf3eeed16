"""What search engines and social networks read: canonical URLs, Open Graph and Twitter Card meta,
schema.org JSON-LD. Helpers return plain data; ``templates/base.html`` renders it."""

import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .feeds import feed_links

OG_IMAGE_WIDTH = 1200
DEFAULT_IMAGE = ("img/og-default.png", 1200, 630)
PUBLISHER_LOGO = ("img/publisher-logo.png", 600, 60)
# The characters that could end a <script> element or open a comment, as JSON escapes (what Django's
# json_script does): "</script>" inside a headline stays data.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def canonical_url(request) -> str:
    """The page's absolute URL without query string, except a page number past the first."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isascii() and page.isdigit() and len(page) <= 9 and int(page) > 1:  # int() refuses 4,300+ digits
        url += f"?page={int(page)}"
    return url


def page_meta(request):
    """Context processor: canonical URL, site-wide Open Graph/Twitter defaults and feed links."""
    canonical = canonical_url(request)
    image = request.build_absolute_uri(static(DEFAULT_IMAGE[0]))
    title, description = settings.SITE_NAME, _("News from Bulgaria and the world")
    return {
        "canonical_url": canonical,
        "og_meta": [
            ("og:site_name", settings.SITE_NAME),
            ("og:locale", "bg_BG"),
            ("og:type", "website"),
            ("og:title", title),
            ("og:description", description),
            ("og:url", canonical),
            ("og:image", image),
            ("og:image:width", str(DEFAULT_IMAGE[1])),
            ("og:image:height", str(DEFAULT_IMAGE[2])),
        ],
        "twitter_meta": [
            ("twitter:card", "summary_large_image"),
            ("twitter:title", title),
            ("twitter:description", description),
            ("twitter:image", image),
        ],
        "feed_links": feed_links(),
        "structured_data": [],
    }


def _image(request, image, width: int = OG_IMAGE_WIDTH) -> tuple[str, int, int] | None:
    """Absolute URL, width and height of the rendition of ``image`` nearest ``width``."""
    if image is None:
        return None
    sizes = sorted(int(w) for w in image.renditions)
    if sizes:
        fit = next((w for w in sizes if w >= width), sizes[-1])
        url = default_storage.url(image.renditions[str(fit)])
        height = round(image.height * fit / image.width) if image.width else 0
        return request.build_absolute_uri(url), fit, height
    return request.build_absolute_uri(image.file.url), image.width, image.height


def _iso(value) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""


def article_meta(request, article, canonical: str, *, tags: list, authors: list) -> dict:
    """Open Graph, Twitter Card and JSON-LD (NewsArticle, BreadcrumbList) for an article page.

    Expects ``article`` with section and lead image loaded (``for_detail()``), and its tags and authors.
    """
    image = _image(request, article.lead_image)
    image_url, image_width, image_height = image or (
        request.build_absolute_uri(static(DEFAULT_IMAGE[0])),
        *DEFAULT_IMAGE[1:],
    )
    image_alt = (article.lead_image.alt_text if article.lead_image else "") or article.title
    keywords = [tag.name for tag in tags]
    published, modified = _iso(article.published_at), _iso(article.content_updated_at or article.published_at)
    og = [
        ("og:site_name", settings.SITE_NAME),
        ("og:locale", "bg_BG"),
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:description", article.lead),
        ("og:url", canonical),
        ("og:image", image_url),
        ("og:image:width", str(image_width)),
        ("og:image:height", str(image_height)),
        ("og:image:alt", image_alt),
        ("article:published_time", published),
        ("article:modified_time", modified),
        ("article:section", article.section.name),
        *[("article:author", request.build_absolute_uri(a.get_absolute_url())) for a in authors],
        *[("article:tag", name) for name in keywords],
    ]
    twitter = [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", article.title),
        ("twitter:description", article.lead),
        ("twitter:image", image_url),
        ("twitter:image:alt", image_alt),
    ]
    return {
        "og_meta": og,
        "twitter_meta": twitter,
        "structured_data": [
            news_article_data(
                request, article, canonical, [image_url, *_placed_images(request, article)], keywords, authors
            ),
            breadcrumb_data(request, article, canonical),
        ],
    }


def publisher_data(request) -> dict:
    logo, width, height = PUBLISHER_LOGO
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(static(logo)),
            "width": width,
            "height": height,
        },
    }


def _placed_images(request, article) -> list[str]:
    """Absolute URLs of the article's pictures in the text, then its gallery's (prefetched by ``for_detail()``)."""
    placed = [*article.body_images.all(), *article.gallery_images.all()]
    return [_image(request, p.image)[0] for p in placed]


def news_article_data(request, article, canonical: str, image_urls: list, tags: list, authors: list) -> dict:
    """schema.org NewsArticle for an article: ``image_urls`` the lead image's first, then every other picture."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": article.title,
        "description": article.lead,
        "image": list(dict.fromkeys(image_urls)),
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.content_updated_at or article.published_at),
        "author": [
            {"@type": "Person", "name": a.name, "url": request.build_absolute_uri(a.get_absolute_url())}
            for a in authors
        ]
        or [{"@type": "Organization", "name": settings.SITE_NAME}],
        "publisher": publisher_data(request),
        "articleSection": article.section.name,
        "keywords": tags,
        "inLanguage": "bg",
    }
    if article.source_id:
        data["sourceOrganization"] = source_data(article.source)
    if article.source_url:
        data["isBasedOn"] = article.source_url
    return data


def source_data(source) -> dict:
    """schema.org organization for the agency or outlet a story came from."""
    data = {"@type": "NewsMediaOrganization", "name": source.name}
    if source.short_name and source.short_name != source.name:
        data["alternateName"] = source.short_name
    if source.url:
        data["url"] = source.url
    return data


def breadcrumb_data(request, article, canonical: str) -> dict:
    """schema.org BreadcrumbList: home, section, article."""
    trail = [
        (settings.SITE_NAME, request.build_absolute_uri(reverse("articles:home"))),
        (article.section.name, request.build_absolute_uri(article.section.get_absolute_url())),
        (article.title, canonical),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url} for n, (name, url) in enumerate(trail, 1)
        ],
    }


def author_meta(request, author, canonical: str) -> dict:
    """Open Graph (a profile) and JSON-LD (a ProfilePage about a Person) for an author's page.

    Expects ``author`` with its photo loaded (``select_related("photo")``).
    """
    photo = _image(request, author.photo, width=640)
    image_url, image_width, image_height = photo or (
        request.build_absolute_uri(static(DEFAULT_IMAGE[0])),
        *DEFAULT_IMAGE[1:],
    )
    description = author.bio or _("Articles by %(name)s") % {"name": author.name}
    og = [
        ("og:site_name", settings.SITE_NAME),
        ("og:locale", "bg_BG"),
        ("og:type", "profile"),
        ("og:title", author.name),
        ("og:description", description),
        ("og:url", canonical),
        ("og:image", image_url),
        ("og:image:width", str(image_width)),
        ("og:image:height", str(image_height)),
        ("og:image:alt", author.name),
    ]
    twitter = [
        ("twitter:card", "summary"),
        ("twitter:title", author.name),
        ("twitter:description", description),
        ("twitter:image", image_url),
        ("twitter:image:alt", author.name),
    ]
    return {"og_meta": og, "twitter_meta": twitter, "structured_data": [person_data(request, author, canonical)]}


def person_data(request, author, canonical: str) -> dict:
    """schema.org ProfilePage whose main entity is the author as a Person (what Google reads for bylines)."""
    person = {
        "@type": "Person",
        "name": author.name,
        "url": canonical,
        "worksFor": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(reverse("articles:home")),
        },
    }
    if author.bio:
        person["description"] = author.bio
    photo = _image(request, author.photo, width=640)
    if photo:
        person["image"] = {"@type": "ImageObject", "url": photo[0], "width": photo[1], "height": photo[2]}
    return {"@context": "https://schema.org", "@type": "ProfilePage", "url": canonical, "mainEntity": person}


def json_ld_script(data) -> str:
    """``data`` as a ``<script type="application/ld+json">`` element, the way Django's json_script builds one.

    A JSON-LD block is data, not script (CSP does not apply to it). The JSON cannot end the element
    early: ``<``, ``>`` and ``&`` are written as ``\\u003C``, ``\\u003E``, ``\\u0026``.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    # The one place JSON-LD is marked safe: escaped above exactly as django.utils.html.json_script does;
    # covered by tests/articles/test_seo.py::test_json_ld_script_escapes_markup_characters.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
