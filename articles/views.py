from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import (
    ArchiveIndexView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

import caching
from frontpage.layout import front_page

from . import embeds, feeds, search, seo, stats
from .models import Article, ArticleRedirect, Author, Section, Source, Tag
from .sharing import share_links


class HomeView(TemplateView):
    """The front page as the newsroom arranged it, else the newest stories (frontpage app, docs/frontpage.md)."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = front_page(self.request, Article.objects.published().for_listing())
        context.update(
            top=page.lead,
            secondary=page.secondary,
            latest=page.latest,
            section_blocks=page.section_blocks,
            most_read=stats.most_read_boxes(self.request),
        )
        return context


class ArticleListView(ListView):
    """A paginated list of published articles, newest first; subclasses narrow it."""

    template_name = "articles/article_list.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(most_read=stats.most_read_boxes(self.request), **kwargs)


class FilteredListView(ArticleListView):
    """Articles of one section, tag, source or author, looked up by slug."""

    model = None
    filter_method = ""

    def get_subject_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        self.subject = get_object_or_404(self.get_subject_queryset(), slug=self.kwargs["slug"])
        return getattr(super().get_queryset(), self.filter_method)(self.subject)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            subject=self.subject,
            kind=self.filter_method,
            feed_links=feeds.feed_links(self.subject, self.filter_method),
            **kwargs,
        )


class SectionView(FilteredListView):
    model, filter_method = Section, "in_section"


class TagView(FilteredListView):
    model, filter_method = Tag, "tagged"


class SourceView(FilteredListView):
    model, filter_method = Source, "from_source"


class AuthorView(FilteredListView):
    """An author's page: photo, short biography and their articles."""

    model, filter_method = Author, "by_author"
    template_name = "articles/author.html"

    def get_subject_queryset(self):
        return Author.objects.select_related("photo")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(seo.author_meta(self.request, self.subject, seo.canonical_url(self.request)))
        return context


class ArchiveMixin:
    date_field = "published_at"
    paginate_by = settings.ARTICLES_PER_PAGE
    month_format = "%m"
    day_format = "%d"
    allow_empty = True
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArchiveView(ArchiveMixin, ArchiveIndexView):
    """Every month with articles, grouped by year, and the newest articles."""

    template_name = "articles/archive.html"
    date_list_period = "month"


class YearView(ArchiveMixin, YearArchiveView):
    """The months of a year that have articles, and the year's articles."""

    template_name = "articles/archive.html"
    make_object_list = True


class MonthView(ArchiveMixin, MonthArchiveView):
    """The days of a month that have articles, and the month's articles."""

    template_name = "articles/archive.html"


class DayView(ArchiveMixin, DayArchiveView):
    template_name = "articles/archive.html"


def archive_redirect(request, year, month=None, day=None):
    """An article's address cut short (``/2026/12/04/``, ``/2026/12/``, ``/2026/``): that day's, month's or
    year's archive."""
    try:
        date(year, month or 1, day or 1)
    except (ValueError, OverflowError):
        raise Http404 from None
    if day is not None:
        return redirect("articles:archive_day", year=year, month=month, day=day, permanent=True)
    if month is not None:
        return redirect("articles:archive_month", year=year, month=month, permanent=True)
    return redirect("articles:archive_year", year=year, permanent=True)


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def can_preview(self):
        # Editors see any article at its address; an author previews only their own drafts,
        # at articles:preview (articles/roles.py), never someone else's through this URL.
        return self.request.user.has_perm("articles.publish_article")

    def get_queryset(self):
        articles = Article.objects.for_detail()
        return articles if self.can_preview() else articles.published()

    def get_object(self, queryset=None):
        # The id first: the article's generation is read before its rows (the comment count, the thread),
        # so a comment posted meanwhile always lands under a newer generation (docs/caching.md).
        queryset = self.get_queryset() if queryset is None else queryset
        pk = queryset.filter(slug=self.kwargs["slug"]).values_list("pk", flat=True).first()
        if pk is None:
            raise Http404
        caching.depends_on(self.request, article_id=pk)
        return queryset.get(pk=pk)

    @classmethod
    def page(cls, request, article, *, status: int = 200, **extra_context):
        """The article page for ``article`` with ``extra_context``: how the comments app shows a refused
        comment again, in place, with what the reader typed."""
        view = cls(extra_context=extra_context)
        view.setup(request, slug=article.slug)
        view.object = view.get_object()
        return view.render_to_response(view.get_context_data(object=view.object), status=status)

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            moved = ArticleRedirect.objects.filter(old_slug=kwargs["slug"]).select_related("article").first()
            if moved and (moved.article.is_public or self.can_preview()):
                return redirect(moved.article, permanent=True)
            raise
        if request.path != self.object.get_absolute_url():
            return redirect(self.object, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_public:
            add_never_cache_headers(response)
            response.headers["X-Robots-Tag"] = "noindex"
        return response

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # Only a page holding an embed lets that platform's frame in (stored with the page by the page cache).
        texts = [self.object.body]
        if self.object.is_live:  # its updates are shown through the same renderer: their embeds need frames too
            texts += self.object.live_updates.values_list("body", flat=True)
        return embeds.allow_frames(response, *texts)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        canonical_url = self.request.build_absolute_uri(article.get_absolute_url())
        tags, authors = list(article.tags.all()), list(article.authors.all())
        context.update(
            is_preview=not article.is_public,
            tags=tags,
            authors=authors,
            related=caching.fragment(
                self.request,
                f"related:{article.pk}",
                lambda: list(Article.objects.related_to(article, limit=settings.RELATED_ARTICLES_LIMIT, tags=tags)),
            ),
            share_links=share_links(self.request, article),
            canonical_url=canonical_url,
            now=timezone.now(),
            most_read=stats.most_read_boxes(self.request, without=article),
            view_beacon_url=stats.beacon_url(article) if article.is_public else "",
            **seo.article_meta(self.request, article, canonical_url, tags=tags, authors=authors),
        )
        return context


class SearchView(TemplateView):
    """Search results for ``?q=``, with section and date filters; any input gives a page, never an error."""

    template_name = "articles/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search"] = search.run_search(self.request.GET)
        return context


@never_cache
@require_GET
def view_beacon(request, pk, token):
    """The 1×1 image article pages load to count a view (in the cache; see stats.py)."""
    if stats.token_is_valid(pk, token):
        stats.record_view(request, pk)
    response = HttpResponse(stats.PIXEL, content_type="image/gif")
    response.headers["X-Robots-Tag"] = "noindex"
    return response
