"""The reader's account page and what it offers: the name under their comments, their comments with their
status, reply e-mails, “download my data” and “delete my account”. Signing up, in and out, passwords and
the e-mail address are django-allauth's views (accounts/auth_urls.py) in the site's templates.

Every page here is for one signed-in reader: their session cookie makes it personal, so no cache keeps it
(docs/caching.md) and its forms carry the ordinary CSRF token.
"""

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments.models import Comment, CommentStatus, Reason
from comments.services import can_edit, display_name

from .export import account_data
from .forms import DeleteAccountForm, NameForm, NotifyForm
from .services import account_delete

COMMENTS_PER_PAGE = 20
# What a reader is told about each of their comments. The spam checker's verdict is never revealed
# (comments.views.looks_held): such a comment "waits for a moderator", as a held one does.
STATUS_LABELS = {
    "published": pgettext_lazy("a comment", "Published"),
    "hidden": gettext_lazy("Hidden after readers' votes"),
    "waiting": gettext_lazy("Waiting for a moderator"),
    "refused": gettext_lazy("Not published: it breaks the site's rules"),
    "removed": gettext_lazy("Deleted"),
}


def reader_status(comment: Comment) -> str:
    """The key of STATUS_LABELS that says where ``comment`` stands."""
    if comment.status == CommentStatus.APPROVED:
        return "published" if comment.is_visible else "hidden"
    if comment.status == CommentStatus.PENDING or comment.reason == Reason.SPAM_CHECK:
        return "waiting"
    if comment.status == CommentStatus.REMOVED:
        return "removed"
    return "refused"


@login_required
@require_GET
def profile(request):
    user = request.user
    mine = Comment.objects.filter(user=user)
    counts = mine.aggregate(
        total=Count("pk"),
        published=Count("pk", filter=Q(status=CommentStatus.APPROVED)),
        notified=Count("pk", filter=Q(notify_on_reply=True)),
    )
    page = Paginator(mine.select_related("article").order_by("-created_at", "-pk"), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for comment in page:
        comment.reader_status = reader_status(comment)
        comment.reader_status_label = STATUS_LABELS[comment.reader_status]
        comment.can_edit = can_edit(comment, user=user, now=now)
    context = {
        "name_form": NameForm(initial={"name": display_name(user)}),
        "display_name": display_name(user),
        "page": page,
        "counts": counts,
        "edit_minutes": settings.COMMENTS_EDIT_MINUTES,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def name(request):
    form = NameForm(request.POST)
    if form.is_valid():
        request.user.first_name, request.user.last_name = form.cleaned_data["name"], ""
        request.user.save(update_fields=["first_name", "last_name"])
        messages.success(request, _("Your name was changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/name.html", {"name_form": form}, status=400)


@login_required
@require_POST
def notifications(request):
    """Reply e-mails on or off, for one comment or for all the reader's comments that have an address."""
    form = NotifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The choice could not be saved. Please try again."))
        return redirect("accounts:profile")
    chosen = Comment.objects.filter(user=request.user).exclude(email="")
    if form.cleaned_data["comment"]:
        chosen = chosen.filter(pk=form.cleaned_data["comment"])
    # Whether to e-mail is not shown on any page: no cache needs telling (docs/caching.md).
    chosen.update(notify_on_reply=form.cleaned_data["notify"])
    if form.cleaned_data["notify"]:
        messages.success(request, _("You will get an e-mail when someone replies."))
    else:
        messages.success(request, _("You will get no e-mail about replies."))
    page = form.cleaned_data["page"]
    return redirect(reverse("accounts:profile") + (f"?page={page}" if page and page > 1 else "") + "#my-comments")


@login_required
@require_GET
def export(request):
    """“Download my data”: the account and everything written with it, as a JSON file."""
    data = account_data(request.user, absolute=request.build_absolute_uri)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="vestnik-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def delete(request):
    """Delete the account; allauth asks for the password (or the provider) again first, and again after a few
    minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    user = request.user
    if user.is_staff:
        return render(request, "accounts/delete.html", {"staff": True}, status=403)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account_delete(user=user, remove_comments=form.cleaned_data["comments"] == DeleteAccountForm.REMOVE)
        logout(request)
        return redirect("accounts:deleted")
    count = Comment.objects.filter(user=user).count()
    return render(request, "accounts/delete.html", {"form": form, "count": count}, status=400 if form.errors else 200)


@require_GET
def deleted(request):
    """Where a deleted account's reader lands: signed out, told it is done."""
    return render(request, "accounts/deleted.html")


def too_many_requests(request):
    """allauth's rate limits (ACCOUNT_RATE_LIMITS: sign-ups, password-reset mails) answer 429 with this page;
    failed sign-ins are django-axes' (portal.views.lockout)."""
    return render(request, "accounts/429.html", status=429)
