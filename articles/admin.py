"""The newsroom: Django admin for articles, images, sections, tags, sources and authors.

Roles and object-level rules are in roles.py, the article form's workflow rules in forms.py.
"""

import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import roles
from .forms import ArticleAdminForm, FormStatus, ImageAdminForm, RichTextEditor, publishing_problems
from .images import STORAGE_ERRORS, build_renditions, delete_stored
from .models import (
    Article,
    ArticleNote,
    ArticleRedirect,
    Author,
    BodyImage,
    GalleryImage,
    Image,
    LiveUpdate,
    Section,
    Source,
    Status,
    Tag,
)
from .sanitize import clean_body as sanitize_body

# The site's own name, as the masthead shows it (SITE_NAME), not a second spelling of it: “Вестник — Редакция”.
admin.site.site_header = admin.site.site_title = format_lazy("{} — {}", settings.SITE_NAME, _("Newsroom"))
admin.site.index_title = _("Newsroom")

ADMIN_CSS = {"all": ["css/admin-newsroom.css"]}
logger = logging.getLogger(__name__)
# Addresses typed without a scheme are taken as https (Django 6's default, asked for now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class SlugPrefillMixin:
    """Prefills the slug from another field with our Bulgarian transliteration (static/js/admin-slug.js).

    Used instead of ``prepopulated_fields``, whose URLify drops Cyrillic letters.
    """

    slug_source = "name"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.widget.attrs.update(
                {"data-slug-from": f"id_{self.slug_source}", "data-slug-max": str(db_field.max_length - 6)}
            )
        return field

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin-slug.js"], css=ADMIN_CSS)


@admin.register(Section)
class SectionAdmin(SlugPrefillMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["name", "slug", "position", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles")).order_by("position", "name")

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Tag)
class TagAdmin(SlugPrefillMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug"]


@admin.register(Source)
class SourceAdmin(SlugPrefillMixin, admin.ModelAdmin):
    slug_source = "short_name"
    formfield_overrides = URL_FIELDS
    list_display = ["name", "short_name", "phrase_on_page", "url", "article_count"]
    search_fields = ["name", "short_name"]
    fields = ["name", "short_name", "slug", "url", "attribution", "phrase_on_page"]
    readonly_fields = ["phrase_on_page"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles")).order_by("name")

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description=_("Readers see"))
    def phrase_on_page(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return obj.attribution or gettext("Source: %(name)s") % {"name": obj.short_name}


@admin.register(Author)
class AuthorAdmin(SlugPrefillMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "user", "has_photo"]
    list_select_related = ["user", "photo"]
    search_fields = ["name"]
    fields = ["name", "slug", "photo", "photo_preview", "bio", "user"]
    readonly_fields = ["photo_preview"]
    autocomplete_fields = ["user", "photo"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, obj):
        return obj.photo_id is not None

    @admin.display(description=_("Preview"))
    def photo_preview(self, obj):
        if obj is None or obj.photo is None:
            return "—"
        url, width, height = obj.photo.smallest
        return format_html(
            '<img class="admin-image-preview" src="{}" alt="{}" width="{}" height="{}">', url, obj.name, width, height
        )


class ImageCompletenessFilter(admin.SimpleListFilter):
    title = _("description")
    parameter_name = "described"

    def lookups(self, request, model_admin):
        return [("no", _("Missing caption, credit or alt text")), ("yes", _("Ready for publishing"))]

    def queryset(self, request, queryset):
        missing = Q(caption="") | Q(credit="") | Q(alt_text="")
        if self.value() == "no":
            return queryset.filter(missing)
        if self.value() == "yes":
            return queryset.exclude(missing)
        return queryset


STORAGE_UNAVAILABLE = _(
    "The image could not be stored: the media storage is not answering. Nothing was saved. "
    "Choose the file again and retry in a minute."
)


class MediaStorageUnavailable(Exception):
    """An upload's files could not be written; nothing of it was kept."""


class StorageFailedForm:
    """Mixed into the image form shown again after the storage failed: what the editor typed, and why."""

    def clean(self):
        cleaned_data = super().clean()
        self.add_error("file", STORAGE_UNAVAILABLE)
        return cleaned_data


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The image library: find by caption or credit, reuse in many articles."""

    form = ImageAdminForm
    list_display = ["thumbnail", "caption", "credit", "dimensions", "usage_count", "created_at"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = [ImageCompletenessFilter]
    search_fields = ["caption", "credit", "alt_text"]
    date_hierarchy = "created_at"
    fields = ["file", "preview", "caption", "credit", "alt_text", "dimensions", "usage_count", "created_at"]
    readonly_fields = ["preview", "dimensions", "usage_count", "created_at"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(usage=Count("articles")).order_by("-created_at", "-pk")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for each request
        form.request = request  # for the upload_rejected security event
        if getattr(request, "media_storage_failed", False):
            form = type(form.__name__, (StorageFailedForm, form), {})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MediaStorageUnavailable:
            # The transaction rolled back and save_model removed the files it wrote: the same form again,
            # invalid this time, with what the editor typed (a browser never refills a file input).
            request.media_storage_failed = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return format_html(
            '<img class="admin-thumb" src="{}" alt="{}" loading="lazy">', obj.rendition_url(320), obj.alt_text
        )

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if obj is None or not obj.pk or not obj.file:
            return "—"
        return format_html(
            '<img class="admin-image-preview" src="{}" alt="{}" width="{}" height="{}">',
            obj.rendition_url(640),
            obj.alt_text,
            obj.width,
            obj.height,
        )

    @admin.display(description=_("size"))
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}" if obj and obj.pk else "—"

    @admin.display(description=_("used in articles"), ordering="usage")
    def usage_count(self, obj):
        return getattr(obj, "usage", None) if obj and obj.pk else "—"

    def save_model(self, request, obj, form, change):
        if form.processed is None:  # no new file
            super().save_model(request, obj, form, change)
            return
        try:
            super().save_model(request, obj, form, change)
            # Renditions are made once here, never per request.
            obj.renditions = build_renditions(obj.file.name, obj.width)
            obj.save(update_fields=["renditions"])
        except Exception as error:
            # The row is rolled back with the transaction; the original goes too if it reached the storage
            # (build_renditions removes its own). A replaced image's old files are kept (docs/deploy.md).
            if obj.file._committed:
                delete_stored([obj.file.name])
            if isinstance(error, STORAGE_ERRORS):
                logger.error("media storage unavailable: image upload not saved", exc_info=error)
                raise MediaStorageUnavailable from error
            raise


class StatusFilter(admin.SimpleListFilter):
    """Statuses as the newsroom says them; "scheduled" is published with a time still to come."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return FormStatus.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == FormStatus.SCHEDULED:
            return queryset.scheduled()
        if value == FormStatus.PUBLISHED:
            return queryset.published()
        if value in (FormStatus.DRAFT, FormStatus.REVIEW, FormStatus.ARCHIVED):
            return queryset.filter(status=value)
        return queryset


def status_key(article) -> str:
    return FormStatus.SCHEDULED if article.is_scheduled else article.status


@admin.register(Article)
class ArticleAdmin(SlugPrefillMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    slug_source = "title"
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "status_badge",
        "section",
        "published_at",
        "author_names",
        "source",
        "comment_count",
        "preview_link",
    ]
    list_filter = [StatusFilter, "section", "source", "is_featured", "tags"]
    list_select_related = ["section", "source"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["tags", "authors", "source", "pinned_related", "lead_image", "section"]
    list_per_page = 50
    save_on_top = True
    actions = ["publish", "unpublish", "submit_for_review"]
    _history_fields = ["created_by", "created_at", "modified_at", "content_updated_at", "comment_count"]
    readonly_fields = ["lead_image_preview", "attribution_preview", *_history_fields]

    class Media:
        css = ADMIN_CSS

    # --- permissions -------------------------------------------------------------------

    def has_publish_permission(self, request):
        return roles.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return roles.can_edit_article(request.user, obj)

    def get_queryset(self, request):
        # The change form reads these too (image preview, attribution, history), not only the list.
        queryset = (
            super()
            .get_queryset(request)
            .select_related("section", "source", "lead_image", "created_by")
            .prefetch_related("authors")
        )
        return roles.articles_for(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["published_at", "is_featured"]
        return fields

    def get_fieldsets(self, request, obj=None):
        publishing = ["status", "published_at"]
        if obj is not None and obj.is_public and self.has_publish_permission(request):
            publishing.append("minor_edit")
        publishing += ["is_featured", "comments_enabled"]
        publishing.append("is_live")  # live updates (docs/live-and-corrections.md)
        return [
            (None, {"fields": ["title", "slug", "lead", "body"]}),
            (_("Publishing"), {"fields": publishing}),
            (_("Placement"), {"fields": ["section", "tags", "authors", "pinned_related"]}),
            (
                _("Lead image"),
                {
                    "fields": ["lead_image", "lead_image_preview"],
                    "description": _(
                        "Choose an image from the library or upload one with “+”. Caption, credit and alternative "
                        "text are required for publishing."
                    ),
                },
            ),
            (
                _("Source"),
                {
                    "fields": ["source", "source_url", "attribution", "attribution_preview"],
                    "description": _(
                        "Where the story came from: the agency or outlet, the original's address, and how the page "
                        "says it. Leave the attribution empty to use the source's own phrase."
                    ),
                },
            ),
            (_("History"), {"fields": self._history_fields, "classes": ["collapse"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    # --- saving ------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not self.has_publish_permission(request) and obj.status not in (Status.DRAFT, Status.REVIEW):
            raise PermissionDenied  # the form already refuses this; a second lock for crafted requests
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        note = getattr(form, "slug_note", "")
        if note:
            self.message_user(
                request,
                gettext("The address you chose was taken; the article got “%(slug)s”.") % {"slug": note},
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = Author.objects.filter(user=request.user).first()
        if not change and profile is not None and not article.authors.exists():
            article.authors.add(profile)  # a new story is credited to whoever wrote it, unless chosen

    def get_view_on_site_url(self, obj=None):
        if obj is not None and obj.pk and not obj.is_public:
            return reverse("articles:preview", kwargs={"pk": obj.pk})
        return super().get_view_on_site_url(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and not obj.is_public:
            context["preview_url"] = reverse("articles:preview", kwargs={"pk": obj.pk})
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- list columns ------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        key = status_key(obj)
        return format_html('<span class="status-badge status-badge--{}">{}</span>', key, FormStatus(key).label)

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description=_("Preview"))
    def preview_link(self, obj):
        if obj.is_public:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), gettext("On the site"))
        return format_html(
            '<a href="{}">{}</a>', reverse("articles:preview", kwargs={"pk": obj.pk}), gettext("Preview")
        )

    @admin.display(description=_("Preview"))
    def lead_image_preview(self, obj):
        image = obj.lead_image if obj is not None else None
        if image is None:
            return gettext("No image chosen yet (saved articles show their image here).")
        credit = gettext("Photo: %(credit)s") % {"credit": image.credit} if image.credit else ""
        return format_html(
            '<figure class="admin-lead-image"><img src="{}" alt="{}" width="{}" height="{}">'
            '<figcaption>{} <span class="admin-lead-image__credit">{}</span></figcaption></figure>',
            image.rendition_url(320),
            image.alt_text,
            320,
            round(320 * image.height / image.width) if image.width else 180,
            image.caption,
            credit,
        )

    @admin.display(description=_("Readers see"))
    def attribution_preview(self, obj):
        line = obj.attribution_line if obj is not None else ""
        if not line:
            return gettext("No attribution (no source chosen).")
        if obj.source_url:
            return format_html(
                '{} <span class="admin-hint">({})</span>',
                line,
                gettext("linked to %(url)s") % {"url": obj.source_url},
            )
        return line

    # --- bulk actions ------------------------------------------------------------------

    @admin.action(description=_("Publish selected articles (scheduled ones at their time)"), permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        done, refused = [], []
        for article in queryset.exclude(status=Status.PUBLISHED).select_related("section", "lead_image"):
            problems = publishing_problems(
                title=article.title,
                lead=article.lead,
                section=article.section,
                body=article.body,
                lead_image=article.lead_image,
            )
            if problems:
                refused.append(article)
                continue
            article.status = Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save()
            done.append(article)
        self._log(request, done, gettext("Published (list action)."))
        if done:
            self.message_user(
                request,
                ngettext("%d article published.", "%d articles published.", len(done)) % len(done),
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                gettext("Not published, because something required is missing (open each to see what): %(titles)s")
                % {"titles": "; ".join(a.title for a in refused)},
                messages.ERROR,
            )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        now = timezone.now()
        done = []
        for article in queryset.filter(status=Status.PUBLISHED):
            # A scheduled story that never went out goes back to the drafts.
            article.status = Status.DRAFT if article.published_at > now else Status.ARCHIVED
            article.save()
            done.append(article)
        self._log(request, done, gettext("Unpublished (list action)."))
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", len(done)) % len(done),
            messages.SUCCESS,
        )

    @admin.action(description=_("Submit selected drafts for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        done = []
        for article in queryset.filter(status=Status.DRAFT):
            if roles.can_edit_article(request.user, article):
                article.status = Status.REVIEW
                article.save()
                done.append(article)
        self._log(request, done, gettext("Submitted for review (list action)."))
        self.message_user(
            request,
            ngettext("%d article submitted for review.", "%d articles submitted for review.", len(done)) % len(done),
            messages.SUCCESS,
        )

    @staticmethod
    def _log(request, articles, message):
        if articles:
            LogEntry.objects.log_actions(
                user_id=request.user.pk, queryset=articles, action_flag=CHANGE, change_message=message
            )


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    fields = ["old_slug", "article"]
    autocomplete_fields = ["article"]


# --- Pictures in the text and the gallery (docs/body-media.md) ---------------------------------------------------


class RowImageSelect(AutocompleteSelect):
    """The image autocomplete of an inline row. A saved row labels its image from the image loaded with the row
    (``known``), not with a query of its own: the form costs the same with 1 or 50 pictures."""

    known: dict = {}

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not chosen or any(pk not in self.known for pk in chosen):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        image = self.known[chosen[0]]
        label = self.choices.field.label_from_instance(image)
        options.append(self.create_option(name, image.pk, label, set(chosen), len(options)))
        return [(None, options, 0)]


class PlacedImageForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["image"].widget
        widget = getattr(widget, "widget", widget)  # inside Django's “+” wrapper
        if self.instance.pk and isinstance(widget, RowImageSelect):
            widget.known = {str(self.instance.image_id): self.instance.image}

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        if image is not None and not (cleaned.get("alt_text") or image.alt_text).strip():
            self.add_error(
                "alt_text", _("Describe what the picture shows (here or in the image library), for screen readers.")
            )
        return cleaned


class PlacedImageInline(admin.TabularInline):
    """Pictures an article places: chosen from the library (or uploaded with “+”); editable by whoever may edit
    the article, whatever their permissions on these rows."""

    form = PlacedImageForm
    autocomplete_fields = ["image"]
    readonly_fields = ["thumbnail"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "image":
            kwargs["widget"] = RowImageSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Preview"))
    def thumbnail(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            '<img class="admin-thumb" src="{}" alt="{}" loading="lazy">',
            obj.image.rendition_url(320),
            obj.shown_alt_text,
        )

    def _may_edit(self, request, obj):
        if obj is None:
            return request.user.has_perm("articles.add_article")
        return roles.can_edit_article(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


class BodyImageInline(PlacedImageInline):
    model = BodyImage
    fields = ["thumbnail", "image", "after_paragraph", "caption", "credit", "alt_text"]
    verbose_name_plural = _("Pictures in the text")


class GalleryImageInline(PlacedImageInline):
    model = GalleryImage
    fields = ["thumbnail", "image", "position", "caption", "credit", "alt_text"]
    verbose_name_plural = _("Gallery")


# Appended rather than written into ArticleAdmin, so other inlines merge cleanly.
ArticleAdmin.inlines = [*ArticleAdmin.inlines, BodyImageInline, GalleryImageInline]


# --- Live updates and corrections (docs/live-and-corrections.md) ----------------------------------------------


class ArticleExtrasFormSet(BaseInlineFormSet):
    """An article inline that a post without its management form leaves as it is (no rows added, changed or
    deleted), instead of refusing the whole article: forms and scripts that send the article's own fields keep
    working as they did before the inline existed."""

    def __init__(self, data=None, files=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, files, *args, prefix=prefix, **kwargs)


class KnownLabelsAutocomplete(AutocompleteSelect):
    """Django's autocomplete that shows the chosen row's label from ``known`` (the row read with the update)
    rather than with a query in every form: the admin's budget stays the same however many updates."""

    known: dict = {}

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if v not in (None, "")]
        if not all(v in self.known for v in chosen):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options += [self.create_option(name, v, self.known[v], True, i) for i, v in enumerate(chosen, 1)]
        return [(None, options, 0)]


class LiveUpdateForm(forms.ModelForm):
    """One update of a live story: the text in the body's editor, sanitised like it; the time is “now” if empty."""

    class Meta:
        model = LiveUpdate
        fields = ["published_at", "body", "image", "author"]
        widgets = {"body": RichTextEditor(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        when = self.fields["published_at"]
        when.required = False
        when.help_text = _("Empty: the moment you save. Updates cannot be dated in the future.")
        if not self.instance.pk:
            when.initial = None  # the model's default would be the time the form was opened, not saved
        for name in ("image", "author"):  # the labels of the chosen rows, read with the update (no query)
            related = getattr(self.instance, name) if getattr(self.instance, f"{name}_id") else None
            widget = getattr(self.fields[name].widget, "widget", None)
            if related is not None and isinstance(widget, KnownLabelsAutocomplete):
                widget.known = {**widget.known, str(related.pk): str(related)}

    def clean_body(self):
        body = sanitize_body(self.cleaned_data.get("body", ""))
        if not strip_tags(body).strip():
            raise forms.ValidationError(_("Write the update's text."))
        return body

    def clean_published_at(self):
        when = self.cleaned_data.get("published_at") or timezone.now()
        if when > timezone.now() + timedelta(minutes=1):
            raise forms.ValidationError(_("An update cannot be dated in the future."))
        return when


class LiveUpdateInline(admin.StackedInline):
    model = LiveUpdate
    form = LiveUpdateForm
    formset = ArticleExtrasFormSet
    fields = ["published_at", "body", "image", "author"]
    extra = 1
    autocomplete_fields = ["image", "author"]
    verbose_name = _("live update entry")  # “Добави друг запис ...”: Django's Bulgarian phrase is masculine
    verbose_name_plural = _("Live updates (newest first; tick “Live” above for a developing story)")
    classes = ["live-updates-inline"]

    def get_extra(self, request, obj=None, **kwargs):
        """An empty update form waits on a live story only: other articles' forms stay short."""
        return 1 if obj is not None and obj.is_live else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image", "author").order_by("-published_at", "-pk")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownLabelsAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not hasattr(request, "_author_profile"):  # the admin asks for the formset several times a request
            request._author_profile = Author.objects.filter(user=request.user).first()
        profile = request._author_profile
        if profile is not None:  # a new update is credited to whoever writes it, unless changed
            formset.form.base_fields["author"].initial = profile.pk
            formset.form.base_fields["author"].widget.widget.known = {str(profile.pk): str(profile)}
        return formset


class ArticleNoteForm(forms.ModelForm):
    class Meta:
        model = ArticleNote
        fields = ["kind", "published_at", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].required = False
        self.fields["published_at"].help_text = _("Empty: the moment you save.")
        if not self.instance.pk:
            self.fields["published_at"].initial = None

    def clean_published_at(self):
        return self.cleaned_data.get("published_at") or timezone.now()


class ArticleNoteInline(admin.StackedInline):
    model = ArticleNote
    form = ArticleNoteForm
    formset = ArticleExtrasFormSet
    fields = ["kind", "published_at", "text"]
    extra = 0
    verbose_name = _("correction or update entry")
    verbose_name_plural = _("Corrections and update notes (at the end of the article and on the corrections page)")


ArticleAdmin.inlines = [*ArticleAdmin.inlines, LiveUpdateInline, ArticleNoteInline]
