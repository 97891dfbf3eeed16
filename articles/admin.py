from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Article, ArticleRedirect, Author, Image, Section, Source, Status, Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["name", "slug", "position", "description"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "url", "attribution"]
    search_fields = ["name", "short_name"]
    fields = ["name", "short_name", "slug", "url", "attribution"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    fields = ["name", "slug", "bio", "user"]
    autocomplete_fields = ["user"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "credit", "width", "height", "created_at"]
    search_fields = ["caption", "credit", "alt_text"]
    fields = ["file", "caption", "credit", "alt_text"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "section", "status", "published_at", "source", "comment_count"]
    list_filter = ["status", "section", "source", "tags"]
    list_select_related = ["section", "source"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["tags", "authors", "source", "pinned_related", "lead_image", "section"]
    readonly_fields = ["comment_count", "created_at", "modified_at"]
    fields = [
        "title",
        "slug",
        "lead",
        "body",
        "section",
        "tags",
        "authors",
        "lead_image",
        "source",
        "source_url",
        "attribution",
        "status",
        "published_at",
        "is_featured",
        "comments_enabled",
        "pinned_related",
        "comment_count",
        "created_at",
        "modified_at",
    ]
    actions = ["publish", "unpublish"]

    @admin.action(description=_("Publish selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset.exclude(status=Status.PUBLISHED):
            article.status = Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save()
            count += 1
        self.message_user(
            request, ngettext("%d article published.", "%d articles published.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Status.PUBLISHED).update(status=Status.ARCHIVED)
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    fields = ["old_slug", "article"]
    autocomplete_fields = ["article"]
