from django.contrib import admin
from django.db import models

from articles.admin import ADMIN_CSS, SlugPrefillMixin
from articles.forms import RichTextEditor

from .models import Page


@admin.register(Page)
class PageAdmin(SlugPrefillMixin, admin.ModelAdmin):
    """The site's pages, in the editor articles use (what it offers is what the page template styles)."""

    slug_source = "title"
    list_display = ["title", "slug", "position", "updated_at"]
    list_editable = ["position"]
    search_fields = ["title", "body"]
    fields = ["title", "slug", "position", "body"]
    formfield_overrides = {models.TextField: {"widget": RichTextEditor}}

    class Media:
        css = ADMIN_CSS
