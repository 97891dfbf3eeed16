"""Staff preview: a draft or scheduled article exactly as readers will see it, never cached."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .models import Article
from .roles import can_preview_article
from .views import ArticleDetailView


class ArticlePreviewView(ArticleDetailView):
    """The article template with a preview banner, for staff who may open the article in admin.

    The address carries the id, not the date and slug, so it works before the article has
    either; it is not signed because it opens nothing for anyone who is not signed in.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        article = get_object_or_404(Article.objects.for_detail(), pk=self.kwargs["pk"])
        if not can_preview_article(self.request.user, article):
            raise PermissionDenied
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_public:
            return redirect(self.object)
        response = self.render_to_response(self.get_context_data(object=self.object, is_preview=True))
        add_never_cache_headers(response)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = True
        context["admin_change_url"] = reverse("admin:articles_article_change", args=[self.object.pk])
        context["admin_url"] = settings.ADMIN_URL
        return context
