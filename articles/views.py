from itertools import groupby

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import ArchiveIndexView, DayArchiveView, DetailView, ListView, MonthArchiveView, TemplateView

from . import cache as page_cache
from . import feeds, search, seo, stats
from .cache import PageCacheMixin
from .models import Article, ArticleRedirect, Author, Section, Source, Tag
from .sharing import share_links


class HomeView(PageCacheMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Article.objects.published().for_listing()
        latest = list(published[:13])
        top = next((a for a in latest if a.is_featured), latest[0] if latest else None)
        by_section = published.top_per_section(4).order_by("section__position", "section__name", "-published_at")
        context.update(
            top=top,
            latest=[a for a in latest if a != top][:12],
            section_blocks=[(section, list(items)) for section, items in groupby(by_section, key=lambda a: a.section)],
            most_read=stats.most_read_boxes(),
        )
        return context


class ArticleListView(PageCacheMixin, ListView):
    """A paginated list of published articles, newest first; subclasses narrow it."""

    template_name = "articles/article_list.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()


class FilteredListView(ArticleListView):
    """Articles of one section, tag, source or author, looked up by slug."""

    model = None
    filter_method = ""

    def get_queryset(self):
        self.subject = get_object_or_404(self.model, slug=self.kwargs["slug"])
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
    model, filter_method = Author, "by_author"


class ArchiveMixin(PageCacheMixin):
    date_field = "published_at"
    paginate_by = settings.ARTICLES_PER_PAGE
    month_format = "%m"
    day_format = "%d"
    allow_empty = True
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArchiveView(ArchiveMixin, ArchiveIndexView):
    template_name = "articles/archive.html"
    date_list_period = "month"


class MonthView(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive.html"


class DayView(ArchiveMixin, DayArchiveView):
    template_name = "articles/archive.html"


class ArticleDetailView(PageCacheMixin, DetailView):
    page_cache_article = True
    context_object_name = "article"

    def can_preview(self):
        # Editors see any article at its address; an author previews only their own drafts,
        # at articles:preview (articles/roles.py), never someone else's through this URL.
        return self.request.user.has_perm("articles.publish_article")

    def get_queryset(self):
        articles = Article.objects.for_detail()
        return articles if self.can_preview() else articles.published()

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        canonical_url = self.request.build_absolute_uri(article.get_absolute_url())
        recent = page_cache.trusts_recent(self.request)
        tags, authors = page_cache.article_terms(article, recent=recent)
        context.update(
            is_preview=not article.is_public,
            tags=tags,
            authors=authors,
            related=page_cache.related_articles(
                article, limit=settings.RELATED_ARTICLES_LIMIT, tags=tags, recent=recent
            ),
            share_links=share_links(self.request, article),
            canonical_url=canonical_url,
            now=timezone.now(),
            most_read=stats.most_read_boxes(),
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
