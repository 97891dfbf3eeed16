"""The moderation queue. Moderators (group "Модератори", see articles/roles.py) hold every comments
permission; the custom ones gate the actions: ``moderate_comment`` (approve, reject, spam),
``block_author`` and ``pin_comment``. Every action goes through comments/services.py, so the public
count stays right, and is logged as a LogEntry (who, when, what)."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import notifications, services
from .models import (
    Block,
    Comment,
    CommentStatus,
    DiscussionSettings,
    ModerationWord,
    Notification,
    Reason,
    Report,
    Vote,
)

QUICK_ACTIONS = {
    # action: (label, required permission, status or None)
    "approve": (_("Approve"), "moderate", CommentStatus.APPROVED),
    "reject": (_("Reject"), "moderate", CommentStatus.REJECTED),
    "spam": (_("Spam"), "moderate", CommentStatus.SPAM),
    "block": (_("Block author"), "block", None),
    "pin": (_("Pin"), "pin", None),
    "unpin": (_("Unpin"), "pin", None),
}


class ReportInline(admin.TabularInline):
    model = Report
    fields = ["reason", "explanation", "reporter_key", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AuthorKeyFilter(admin.SimpleListFilter):
    """Lets a link show one author's history (?author=<key>); not offered as a list of choices."""

    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value[:16])] if value else []

    def queryset(self, request, queryset):
        return queryset.filter(author_key=self.value()) if self.value() else queryset


class QueueChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        # The queue order (reported and pending first) unless the moderator sorts by a column.
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["queue_rank", "-created_at", "-pk"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "author",
        "article_link",
        "status",
        "reason",
        "score",
        "report_count",
        "created_at",
        "is_pinned",
        "quick_actions",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        "reason",
        "created_at",
        ("article", admin.RelatedOnlyFieldListFilter),
        "is_pinned",
        "is_staff_reply",
        AuthorKeyFilter,
    ]
    list_select_related = ["article"]
    search_fields = ["body", "author_name", "email", "=ip_hash", "=email_hash"]
    search_help_text = _("Text, name or e-mail; an IP hash or e-mail hash exactly.")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam", "block_authors", "pin", "unpin"]
    inlines = [ReportInline]
    fields = [
        "article",
        "author_name",
        "user",
        "email",
        "body",
        "status",
        "reason",
        "reason_text",
        "author_history",
        "reply_to_name",
        "depth",
        "likes",
        "dislikes",
        "score",
        "report_count",
        "hidden_by_reports_at",
        "is_pinned",
        "is_staff_reply",
        "notify_on_reply",
        "ip_hash",
        "email_hash",
        "created_at",
        "edited_at",
        "moderated_at",
        "moderated_by",
    ]
    readonly_fields = fields
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).moderation_queue()

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_add_permission(self, request):
        return False  # comments come from readers; editors reply on the site

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_block_permission(self, request):
        return request.user.has_perm("comments.block_author")

    def has_pin_permission(self, request):
        return request.user.has_perm("comments.pin_comment")

    # --- columns ------------------------------------------------------------------------------------------

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(90)

    @admin.display(description=_("author"), ordering="author_name")
    def author(self, obj):
        url = reverse("admin:comments_comment_changelist") + "?" + urlencode({"author": obj.author_key})
        return format_html('<a href="{}" title="{}">{}</a>', url, _("All comments by this author"), obj.author_name)

    @admin.display(description=_("article"), ordering="article__title")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.article.get_absolute_url(), Truncator(obj.article.title).chars(50)
        )

    @admin.display(description=_("one click"))
    def quick_actions(self, obj):
        # Buttons of the changelist form (which carries the CSRF token), posted to moderate_view.
        buttons = [
            (reverse("admin:comments_comment_moderate", args=[obj.pk, action]), label)
            for action, (label, perm, status) in QUICK_ACTIONS.items()
            if self._quick_action_applies(obj, action, status)
        ]
        return format_html_join(
            " ", '<button type="submit" class="button" formaction="{}" formmethod="post">{}</button>', buttons
        )

    @staticmethod
    def _quick_action_applies(obj, action, status):
        if status is not None:
            return obj.status != status and obj.status != CommentStatus.REMOVED
        if action == "pin":
            return not obj.is_pinned and obj.status == CommentStatus.APPROVED
        if action == "unpin":
            return obj.is_pinned
        return True

    @admin.display(description=_("author's history"))
    def author_history(self, obj):
        stats = Comment.objects.by_author(obj.author_key).aggregate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(status=CommentStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status__in=[CommentStatus.REJECTED, CommentStatus.SPAM])),
        )
        decided = stats["approved"] + stats["rejected"]
        rate = f"{100 * stats['approved'] / decided:.0f} %" if decided else "—"
        url = reverse("admin:comments_comment_changelist") + "?" + urlencode({"author": obj.author_key})
        return format_html(
            '<a href="{}">{}</a>',
            url,
            _("%(total)d comments, %(approved)d approved, %(rejected)d rejected or spam; approval rate %(rate)s")
            % {**stats, "rate": rate},
        )

    # --- counts above the list -------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        counts = Comment.objects.aggregate(
            pending=Count("pk", filter=Q(status=CommentStatus.PENDING)),
            reported=Count("pk", filter=Q(report_count__gt=0, status__in=[CommentStatus.APPROVED, "pending"])),
            hidden_by_reports=Count("pk", filter=Q(status=CommentStatus.PENDING, reason=Reason.REPORTED)),
        )
        extra_context = {**(extra_context or {}), "queue_counts": counts}
        author = request.GET.get("author")
        if author:
            stats = Comment.objects.by_author(author).aggregate(
                total=Count("pk"),
                approved=Count("pk", filter=Q(status=CommentStatus.APPROVED)),
                rejected=Count("pk", filter=Q(status__in=[CommentStatus.REJECTED, CommentStatus.SPAM])),
            )
            decided = stats["approved"] + stats["rejected"]
            stats["rate"] = round(100 * stats["approved"] / decided) if decided else None
            extra_context["author_stats"] = stats
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if comment is not None:
            extra_context["moderation_buttons"] = [
                (action, label)
                for action, (label, perm, status) in QUICK_ACTIONS.items()
                if getattr(self, f"has_{perm}_permission")(request)
                and self._quick_action_applies(comment, action, status)
            ]
            extra_context["can_reply"] = self.has_pin_permission(request) and comment.is_visible
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    # --- actions ---------------------------------------------------------------------------------------

    def _set_status(self, request, queryset, status, label):
        changed = services.comment_moderate(
            comment_ids=list(queryset.values_list("pk", flat=True)), status=status, actor=request.user
        )
        for comment in changed:
            self.log_change(request, comment, str(label))
        self.message_user(
            request,
            ngettext("%(count)d comment: %(what)s.", "%(count)d comments: %(what)s.", len(changed))
            % {"count": len(changed), "what": label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._set_status(request, queryset, CommentStatus.APPROVED, _("approved"))

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._set_status(request, queryset, CommentStatus.REJECTED, _("rejected"))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, CommentStatus.SPAM, _("marked as spam"))

    @admin.action(description=_("Block the authors of selected comments"), permissions=["block"])
    def block_authors(self, request, queryset):
        done = set()
        for comment in queryset:
            if comment.author_key in done:
                continue
            done.add(comment.author_key)
            services.author_block(comment=comment, actor=request.user, reason=f"comment #{comment.pk}")
            self.log_change(request, comment, str(_("author blocked")))
        self.message_user(
            request,
            ngettext("%(count)d author blocked.", "%(count)d authors blocked.", len(done)) % {"count": len(done)},
        )

    @admin.action(description=_("Pin as editors' pick"), permissions=["pin"])
    def pin(self, request, queryset):
        for comment in queryset.filter(status=CommentStatus.APPROVED):
            services.comment_pin(comment=comment, pinned=True)
            self.log_change(request, comment, str(_("pinned")))

    @admin.action(description=_("Unpin"), permissions=["pin"])
    def unpin(self, request, queryset):
        for comment in queryset.filter(is_pinned=True):
            services.comment_pin(comment=comment, pinned=False)
            self.log_change(request, comment, str(_("unpinned")))

    # --- one-click moderation --------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.moderate_view))
        return [
            path("<int:pk>/moderate/<str:action>/", view, name="comments_comment_moderate"),
            *super().get_urls(),
        ]

    def moderate_view(self, request, pk, action):
        if action not in QUICK_ACTIONS:
            raise PermissionDenied
        _label, perm, _status = QUICK_ACTIONS[action]
        if not getattr(self, f"has_{perm}_permission")(request):
            raise PermissionDenied
        queryset = Comment.objects.filter(pk=pk)
        get_object_or_404(queryset)
        {
            "approve": self.approve,
            "reject": self.reject,
            "spam": self.mark_spam,
            "block": self.block_authors,
            "pin": self.pin,
            "unpin": self.unpin,
        }[action](request, queryset)
        back = request.META.get("HTTP_REFERER", "")
        allowed = request.build_absolute_uri(reverse("admin:comments_comment_changelist"))
        change = request.build_absolute_uri(reverse("admin:comments_comment_change", args=[pk]))
        if not (back.startswith(allowed) or back.startswith(change)):
            back = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(back)

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        services.comment_count_refresh(article_ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.comment_count_refresh([obj.article_id])


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "reporter_key", "created_at"]
    list_filter = ["reason", "created_at"]
    list_select_related = ["comment"]
    search_fields = ["explanation", "comment__body", "=reporter_key"]
    fields = ["comment", "reason", "explanation", "reporter_key", "user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "email_hash", "ip_hash", "reason", "created_by", "created_at", "expires_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["=email_hash", "=ip_hash", "user__username", "reason"]
    fields = ["user", "email_hash", "ip_hash", "reason", "expires_at"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):
        return request.user.has_perm("comments.block_author") and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ["word", "action", "created_at"]
    list_filter = ["action"]
    search_fields = ["word"]
    fields = ["word", "action"]


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    list_display = ["article", "moderation"]
    list_filter = ["moderation"]
    list_select_related = ["article"]
    search_fields = ["article__title"]
    autocomplete_fields = ["article"]
    fields = ["article", "moderation"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["comment", "value", "voter_key", "created_at"]
    list_select_related = ["comment"]
    fields = ["comment", "value", "voter_key", "created_at"]
    readonly_fields = fields
    search_fields = ["=voter_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mail outbox (comments/notifications.py), read-only: what went, what waits for the mail server,
    what was given up. "Send again" queues given-up rows, and rows a dead worker left "sending"."""

    list_display = ["comment", "kind", "state", "attempts", "created_at", "claimed_at", "next_attempt_at", "sent_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["comment"]
    fields = [*list_display, "reports", "last_error"]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting stays allowed: the admin refuses to delete a comment whose related rows one may not delete.

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.action(description=_("Send again (given up, or left sending by a stopped worker)"), permissions=["moderate"])
    def send_again(self, request, queryset):
        resent = notifications.notification_resend(queryset.values_list("pk", flat=True))
        self.message_user(
            request, ngettext("%d e-mail queued again.", "%d e-mails queued again.", len(resent)) % len(resent)
        )
