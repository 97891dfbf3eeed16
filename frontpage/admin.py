"""The newsroom's front page: the home page's arrangements and the breaking-news banners (editors)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.admin import ADMIN_CSS, URL_FIELDS
from articles.models import Section

from .models import (
    SECONDARY_LIMIT,
    SECTION_STORIES,
    Arrangement,
    ArrangementSection,
    ArrangementStory,
    BreakingNews,
)


def badge(kind: str, label) -> str:
    """A coloured label with its words (the colours are admin-newsroom.css's status badges)."""
    return format_html('<span class="status-badge status-badge--{}">{}</span>', kind, label)


CLEAR_BUTTON = "_clear"

# --- Breaking news ------------------------------------------------------------------------------------------------


class BreakingStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("On the site now")), ("upcoming", _("Scheduled")), ("ended", _("Ended or cleared"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.live()
        if self.value() == "upcoming":
            return queryset.pending().filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.exclude(pk__in=queryset.pending().values("pk"))
        return queryset


@admin.register(BreakingNews)
class BreakingNewsAdmin(admin.ModelAdmin):
    list_display = ["headline", "state_badge", "starts_at", "expires_at", "article"]
    list_display_links = ["headline"]
    list_select_related = ["article"]
    list_filter = [BreakingStateFilter]
    search_fields = ["headline"]
    fields = ["headline", "article", "url", "starts_at", "expires_at", "state_badge", "cleared_at"]
    readonly_fields = ["state_badge", "cleared_at"]
    autocomplete_fields = ["article"]
    formfield_overrides = URL_FIELDS
    actions = ["clear_now"]
    save_as = True  # "save as new": show an ended banner again

    class Media:
        css = ADMIN_CSS

    @admin.display(description=_("state"))
    def state_badge(self, obj):
        now = timezone.now()
        if obj.pk is None:
            return "-"
        if obj.cleared_at is not None:
            return badge("archived", gettext("Cleared"))
        if obj.expires_at is not None and obj.expires_at <= now:
            return badge("draft", gettext("Ended"))
        if obj.starts_at > now:
            return badge("scheduled", gettext("Scheduled"))
        return badge("published", gettext("On the site now"))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        # The "Clear now" button (templates/admin/frontpage/breakingnews/change_form.html) for a banner not ended.
        context["can_clear"] = (
            obj is not None and obj.cleared_at is None and (obj.expires_at is None or obj.expires_at > timezone.now())
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and CLEAR_BUTTON in request.POST and obj.cleared_at is None:
            obj.cleared_at = timezone.now()
            self.message_user(request, gettext("The banner is cleared: readers no longer see it."), messages.SUCCESS)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Clear selected banners now"), permissions=["change"])
    def clear_now(self, request, queryset):
        now = timezone.now()
        cleared = list(queryset.pending())
        for banner in cleared:
            banner.cleared_at = now
            banner.save(update_fields=["cleared_at"])  # the signal renews the cached pages
        if cleared:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=cleared,
                action_flag=CHANGE,
                change_message=gettext("Cleared (list action)."),
            )
        self.message_user(
            request,
            ngettext(
                "%d banner cleared: readers no longer see it.",
                "%d banners cleared: readers no longer see them.",
                len(cleared),
            )
            % len(cleared),
            messages.SUCCESS,
        )


# --- Arrangements -------------------------------------------------------------------------------------------------


class SecondaryFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        lead_id = self.instance.lead_id
        for form in kept:
            article = form.cleaned_data.get("article")
            if article is not None and article.pk == lead_id:
                form.add_error("article", gettext("This is already the lead story."))
        if len(kept) > SECONDARY_LIMIT:
            raise ValidationError(
                ngettext("At most %d secondary story.", "At most %d secondary stories.", SECONDARY_LIMIT)
                % SECONDARY_LIMIT
            )


class SecondaryInline(admin.TabularInline):
    model = ArrangementStory
    formset = SecondaryFormSet
    fields = ["article", "position"]
    autocomplete_fields = ["article"]
    max_num = SECONDARY_LIMIT

    def get_extra(self, request, obj=None, **kwargs):
        # Empty rows up to the limit, so a row can be added without the admin's script too.
        return SECONDARY_LIMIT if obj is None else max(0, SECONDARY_LIMIT - obj.secondary.count())


class SectionBlockForm(forms.ModelForm):
    def has_changed(self):
        # A row prefilled on a new arrangement is saved as shown, even untouched: the order the editor sees is
        # the order readers get.
        return super().has_changed() or (self.instance.pk is None and bool(self.initial.get("section")))


class SectionInline(admin.TabularInline):
    model = ArrangementSection
    form = SectionBlockForm
    fields = ["section", "position", "stories", "size"]
    verbose_name_plural = _("section blocks (sections not listed follow in their usual order)")

    def get_extra(self, request, obj=None, **kwargs):
        return Section.objects.count() if obj is None else 0


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    list_display = ["name", "state_badge", "active_from", "lead"]
    list_select_related = ["lead"]
    search_fields = ["name"]
    fields = ["name", "active_from", "lead"]
    autocomplete_fields = ["lead"]
    inlines = [SecondaryInline, SectionInline]
    save_as = True  # "save as new": a variant for another time

    class Media:
        css = ADMIN_CSS

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SecondaryInline) and obj.pk is None:
            kwargs["initial"] = [{"position": position} for position in range(1, SECONDARY_LIMIT + 1)]  # numbered
        if isinstance(inline, SectionInline) and obj.pk is None:
            # A new arrangement starts from the home page as it is: every section, in order, at the usual size.
            kwargs["initial"] = [
                {"section": section.pk, "position": position, "stories": SECTION_STORIES}
                for position, section in enumerate(Section.objects.all(), start=1)
            ]
        return kwargs

    def get_queryset(self, request):
        current = Arrangement.objects.applicable().values("pk")[:1]
        on_site = ExpressionWrapper(Q(pk=Subquery(current)), output_field=BooleanField())
        return super().get_queryset(request).annotate(is_on_site=on_site)

    @admin.display(description=_("state"))
    def state_badge(self, obj):
        if obj.active_from > timezone.now():
            return badge("scheduled", gettext("Scheduled"))
        if getattr(obj, "is_on_site", False):
            return badge("published", gettext("On the site now"))
        return badge("draft", gettext("Replaced"))
