"""Newsroom forms (Django admin): the article form with the workflow rules, the image upload."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.db import models
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.logging import security_event

from .images import process_upload
from .models import Article, Image, Status, unique_slug
from .sanitize import clean_body as sanitize_body

# Social cards cut descriptions at about 200 characters; the lead is the description.
LEAD_MAX_LENGTH = 200


class FormStatus(models.TextChoices):
    """The statuses an editor chooses from; "scheduled" is stored as published with a future time."""

    DRAFT = Status.DRAFT.value, Status.DRAFT.label
    REVIEW = Status.REVIEW.value, Status.REVIEW.label
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = Status.PUBLISHED.value, Status.PUBLISHED.label
    ARCHIVED = Status.ARCHIVED.value, Status.ARCHIVED.label


AUTHOR_STATUSES = (FormStatus.DRAFT, FormStatus.REVIEW)


class RichTextEditor(forms.Textarea):
    """A textarea that static/js/admin-prose.js turns into the prose editor (a module, no inline code).

    The editor offers only what the article template styles (paragraphs, h2-h3, bold, italic,
    links, lists, quotes); whatever it sends is sanitised again on the server.
    """

    def __init__(self, attrs=None):
        super().__init__({"rows": 20, "data-rich-text": "article", **(attrs or {})})

    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "css/admin-prose.css",
                ]
            },
            js=[forms.Script("js/admin-prose.js", type="module")],
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-editor-module"] = static("django_prose_editor/editor.js")
        return context

    def use_required_attribute(self, initial):
        return False  # the textarea is hidden behind the editor; the form validates instead


def publishing_problems(*, title, lead, section, body, lead_image) -> dict[str, str]:
    """What stops an article from going public, by form field (empty when it may be published)."""
    problems = {}
    if not (title or "").strip():
        problems["title"] = _("A published article needs a headline.")
    if not (lead or "").strip():
        problems["lead"] = _("A published article needs a lead.")
    if section is None:
        problems["section"] = _("A published article needs a section.")
    if not strip_tags(sanitize_body(body or "")).strip():
        problems["body"] = _("A published article needs a body text.")
    if lead_image is None:
        problems["lead_image"] = _("A published article needs a lead image.")
    else:
        missing = [
            str(label)
            for label, value in (
                (_("caption"), lead_image.caption),
                (_("credit"), lead_image.credit),
                (_("alternative text"), lead_image.alt_text),
            )
            if not (value or "").strip()
        ]
        if missing:
            problems["lead_image"] = _("Before publishing, fill in the image's %(missing)s (in the image library).") % {
                "missing": ", ".join(missing)
            }
    return problems


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # Django 6's default, asked for now
    return db_field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    """The article form. ``can_publish`` is set per request by ArticleAdmin.get_form."""

    can_publish = False

    status = forms.ChoiceField(
        label=capfirst(Article._meta.get_field("status").verbose_name), choices=FormStatus.choices
    )
    minor_edit = forms.BooleanField(
        label=_("Minor edit"),
        required=False,
        help_text=_("A typo-level fix: readers are not shown an “Updated” time."),
    )

    class Meta:
        model = Article
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
            "is_live",
        ]
        widgets = {"body": RichTextEditor, "lead": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # What readers saw before this edit, to decide whether it counts as an update.
        self._was_public = bool(instance.pk) and instance.is_public
        self._original_text = (instance.title, instance.lead, sanitize_body(instance.body))
        if "status" in self.fields:
            allowed = FormStatus.choices if self.can_publish else [(s.value, s.label) for s in AUTHOR_STATUSES]
            self.fields["status"].choices = allowed
            self.fields["status"].help_text = _(
                "Scheduled: published automatically at the chosen time. Unpublished: hidden from readers."
            )
            if instance.pk:
                self.initial["status"] = FormStatus.SCHEDULED if instance.is_scheduled else instance.status
        if "lead" in self.fields:
            field = self.fields["lead"]
            field.max_length = LEAD_MAX_LENGTH
            field.widget.attrs["maxlength"] = str(LEAD_MAX_LENGTH)
            field.validators.append(
                MaxLengthValidator(
                    LEAD_MAX_LENGTH,
                    message=_(
                        "The lead may have at most %(limit_value)d characters, to fit social media cards "
                        "(it has %(show_value)d)."
                    ),
                )
            )
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Filled in from the headline; a taken address gets a number. A published article's old "
                "address redirects to the new one."
            )
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = _(
                "Empty means “now” when published. A future time schedules the article."
            )

    def clean_body(self):
        return sanitize_body(self.cleaned_data.get("body", ""))

    def clean(self):
        cleaned = super().clean()
        # A status outside the user's choices (a crafted POST) was refused by the field: None here.
        status = cleaned.get("status")
        if status == FormStatus.SCHEDULED:
            when = cleaned.get("published_at")
            if not when:
                self._error("published_at", _("Choose the date and time to publish a scheduled article."))
            elif when <= timezone.now():
                self._error("published_at", _("A scheduled article needs a publishing time in the future."))
        if status in (FormStatus.PUBLISHED, FormStatus.SCHEDULED):
            problems = publishing_problems(
                title=cleaned.get("title"),
                lead=cleaned.get("lead"),
                section=cleaned.get("section"),
                body=cleaned.get("body"),
                lead_image=cleaned.get("lead_image"),
            )
            for field, message in problems.items():
                # A field that failed its own validation already has its message.
                if field not in self.errors:
                    self._error(field, message)
            cleaned["status"] = Status.PUBLISHED
        self._resolve_slug(cleaned)
        return cleaned

    def _error(self, field, message):
        self.add_error(field if field in self.fields else None, message)

    def _resolve_slug(self, cleaned):
        if "slug" not in self.fields or "slug" in self.errors:
            return
        wanted = cleaned.get("slug") or ""
        base = wanted or cleaned.get("title") or ""
        if not base:
            return
        resolved = unique_slug(Article, base, instance=self.instance)
        self.slug_note = resolved if wanted and resolved != wanted else ""
        cleaned["slug"] = resolved

    @property
    def is_content_update(self) -> bool:
        """A published story's headline, lead or text changed, and the edit is not marked minor."""
        if not self._was_public or self.cleaned_data.get("minor_edit"):
            return False
        if self.cleaned_data.get("status") != Status.PUBLISHED:
            return False
        instance = self.instance
        return (instance.title, instance.lead, sanitize_body(instance.body)) != self._original_text

    def save(self, commit=True):
        if self.is_content_update:
            self.instance.content_updated_at = timezone.now()
        return super().save(commit)


def upload_help_text():
    return _("JPEG, PNG or WebP, at most %(mb)d MB and %(mp)d megapixels. EXIF and GPS data are removed.") % {
        "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
        "mp": settings.MAX_IMAGE_PIXELS // 1_000_000,
    }


class ImageAdminForm(forms.ModelForm):
    """Uploads go through images.process_upload: checked, re-encoded, renamed by the server."""

    # A plain FileField: Django's ImageField would open the file with every Pillow decoder
    # and answer a decompression bomb with a vague message. process_upload does it right.
    file = forms.FileField(
        label=_("file"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Image
        fields = ["file", "caption", "credit", "alt_text"]

    request = None  # set by ImageAdmin.get_form: a refused upload is logged with who sent it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()
        self.processed = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            try:
                self.processed = process_upload(upload)
            except forms.ValidationError as error:
                security_event("upload_rejected", self.request, reason=error.code, size=upload.size)
                raise
            return self.processed.content
        return upload
