"""Comment endpoints. Each works as a plain form post (redirect back, errors beside the fields) and,
when the request asks for JSON (static/js/comments.js), answers with server-rendered fragments."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from articles.views import ArticleDetailView
from portal import views as portal_views
from portal.logging import security_event

from .forms import CommentForm, EditForm, ReportForm
from .markup import render_comments
from .models import Comment, CommentStatus, Reason
from .moderation import discussion_open
from .security import check_unsubscribe_token, ip_hash, own_comments, rate_limited, reader_key, remember_own
from .services import (
    CommentError,
    DuplicateSubmission,
    SpamDiscarded,
    can_edit,
    comment_create,
    comment_edit,
    comment_remove,
    comment_report,
    comment_unreport,
    comment_vote,
)
from .spamcheck import Client
from .threads import comment_url, decorate, page_url, posted_html, thread_rows


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def logged(response):
    """The request's security event is its log record: spare django.request's duplicate WARNING for it."""
    response._has_been_logged = True
    return response


def error_page(request, message, *, status: int, article=None):
    """The comment-error page (or JSON): a clear message and the way back."""
    if wants_json(request):
        return JsonResponse({"ok": False, "message": str(message)}, status=status)
    context = {"message": message, "article": article}
    return render(request, "comments/error.html", context, status=status)


def public_article(article_id: int):
    return Article.objects.published().filter(pk=article_id).first()


def public_comment(pk: int, *related: str):
    """The comment ``pk`` if its article is public (``Article.is_public``), else None.

    Every endpoint asks this first: a comment of a draft, scheduled or unpublished article is answered
    exactly as one that does not exist, and before anything is counted or changed. Comment ids are
    sequential, so anything else would let them be walked to find drafts and their addresses (date and slug).
    """
    comment = Comment.objects.select_related("article", *related).filter(pk=pk).first()
    return comment if comment is not None and comment.article.is_public else None


def visible_comment(pk: int, *, or_hidden_by_reports: bool = False):
    """A comment readers can see, on a public article; else None.

    ``or_hidden_by_reports``: also one that readers' reports have just sent to review, so a reader who
    opened the page (or the report form) before that still gets their report recorded, not "gone".
    """
    comment = public_comment(pk)
    if comment is None:
        return None
    hidden_by_reports = comment.status == CommentStatus.PENDING and comment.hidden_by_reports_at is not None
    return comment if comment.is_visible or (or_hidden_by_reports and hidden_by_reports) else None


def posted_parent(request, article):
    """The visible comment of ``article`` a post names as its parent, to show the reply page again on errors.

    Only for display: ``comment_create`` checks the parent again under a lock.
    """
    parent_id = request.POST.get("parent", "")
    if not (parent_id.isascii() and parent_id.isdigit() and 0 < int(parent_id) < 2**63):
        return None
    parent = Comment.objects.filter(pk=int(parent_id), article=article).first()
    return parent if parent is not None and parent.is_visible else None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. A page every reader shares carries no CSRF token (docs/caching.md), so a reader
    without JavaScript sends its forms without one. A comment comes back in its form, with what the
    reader typed and a fresh token (and its cookie), asking to send it again; a vote gets a page that
    sends it again with one click; anything else the project's page (portal.views.csrf_failure).
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and request.method == "POST":
        if match.view_name == "comments:create":
            response = expired_form_response(request, match.kwargs["article_id"])
            if response is not None:
                return response
        if match.view_name == "comments:vote":
            if visible_comment(match.kwargs["pk"]) is None:  # no form to send again for a comment that is gone
                return vote_gone(request)
            return portal_views.csrf_failure(request, reason, resend_fields=("value",))
    return portal_views.csrf_failure(request, reason)


def expired_form_response(request, article_id: int):
    """The comment form again with what the reader typed and a fresh token, or None for a closed discussion."""
    article = public_article(article_id)
    if article is None or not discussion_open(article):
        return None
    form = CommentForm(request.POST, article=article, user=request.user, parent=posted_parent(request, article))
    form.add_error(None, _("The form could not be checked. Please send it again."))
    return form_error_response(request, article, form, status=403)


def form_error_response(request, article, form, *, status: int):
    form.renew_token()
    if wants_json(request):
        html = render_to_string("comments/_form.html", {"form": form, "article": article}, request=request)
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data(), "form_html": html}, status=status)
    if form.parent_comment is not None:
        context = {"article": article, "parent": form.parent_comment, "form": form}
        return render(request, "comments/reply.html", context, status=status)
    return ArticleDetailView.page(request, article, status=status, comment_form=form)


@require_POST
def create(request, article_id: int):
    article = public_article(article_id)
    if article is None:
        return error_page(request, _("This article does not exist or cannot be commented."), status=404)
    if not discussion_open(article):
        return error_page(request, _("Comments on this article are closed."), status=403, article=article)
    form = CommentForm(request.POST, article=article, user=request.user, parent=posted_parent(request, article))
    if form.honeypot_filled:
        security_event("honeypot", request, article=article.pk)
        return logged(error_page(request, _("Your comment could not be accepted."), status=400, article=article))
    if not form.is_valid():
        if "token" in form.errors and getattr(form, "token_error", "") == "tampered":
            security_event("comment_token_invalid", request, article=article.pk)
            return logged(form_error_response(request, article, form, status=400))
        return form_error_response(request, article, form, status=400)
    data = form.cleaned_data
    try:
        comment = comment_create(
            article=article,
            parent=data["parent"],
            body=data["body"],
            author_name=data.get("author_name", ""),
            email=data.get("email", ""),
            user=request.user,
            ip_hash=ip_hash(request),
            notify_on_reply=data.get("notify_on_reply", False),
            submission_token=data["submission"],
            confirmed_latin=data.get("confirm_latin", False),
            client=Client.from_request(request),
        )
    except DuplicateSubmission as duplicate:
        return posted_response(request, duplicate.comment, again=True)
    except SpamDiscarded:
        security_event("spam_discarded", request, article=article.pk)
        return discarded_response(request, article)
    except CommentError as error:
        if error.code == "rate_limited":
            security_event("rate_limited", request, scope="comment_post", article=article.pk)
        if error.code == Reason.LATIN_BULGARIAN:
            form.show_latin_confirm = True
        form.add_error("body" if error.code in (Reason.REPEAT, Reason.LATIN_BULGARIAN) else None, error.message)
        response = form_error_response(request, article, form, status=error.status)
        return logged(response) if error.code == "rate_limited" else response
    if comment.reason == Reason.BANNED_WORD:
        security_event("banned_word", request, article=article.pk, comment=comment.pk)
    elif comment.reason == Reason.SPAM_CHECK:
        security_event("spam_detected", request, article=article.pk, comment=comment.pk)
    return posted_response(request, comment)


def looks_held(comment) -> bool:
    """Held for review, or so the reader is told: the spam checker's verdict is never revealed to a spammer."""
    return comment.status == CommentStatus.PENDING or comment.reason == Reason.SPAM_CHECK


def held_message() -> str:
    return _("Thank you! Your comment will appear after a moderator approves it.")


def posted_message(comment) -> str:
    if comment.is_visible:
        return _("Your comment is published.")
    if looks_held(comment):
        return held_message()
    return _("Your comment was not published because it breaks the site's rules.")


def posted_json(request, article_id: int, message: str, *, comment=None, html: str = ""):
    """The answer to a post sent by the script: the comment (if any), the new count and a fresh form token."""
    article = Article.objects.only("comment_count").get(pk=article_id)
    fresh = CommentForm(article=article, user=request.user)
    return JsonResponse(
        {
            "ok": True,
            "id": comment.pk if comment else None,
            "visible": bool(comment and comment.is_visible),
            "parent": comment.parent_id if comment else None,
            "html": html,
            "message": message,
            "count": article.comment_count,
            "token": fresh["token"].value(),
            "submission": fresh["submission"].value(),
        }
    )


def posted_response(request, comment, *, again: bool = False):
    message = _("This comment was already sent.") if again else posted_message(comment)
    held = looks_held(comment)  # shown to its author alone, marked as waiting (spam the checker caught too)
    if wants_json(request):
        # With its edit links, or marked as waiting; a second answer for the same form must not add it twice.
        html = "" if again else posted_html(comment, held=held)
        response = posted_json(request, comment.article_id, message, comment=comment, html=html)
    else:
        if comment.is_visible:
            target = comment_url(comment)
        else:
            # Held or not, the same address: blatant spam, not stored, is answered with it too (discarded_response).
            target = page_url(comment.article, sort=settings.COMMENTS_DEFAULT_SORT, page=1)
        shown_or_held = comment.status == CommentStatus.APPROVED or held
        level = messages.SUCCESS if shown_or_held else messages.WARNING
        messages.add_message(request, level, message)
        response = redirect(target)
    if not again and (comment.status == CommentStatus.APPROVED or held):
        remember_own(request, response, comment, held=held)
    return response


def discarded_response(request, article):
    """Blatant spam was not stored: answer exactly as for a comment held for review (the sender learns nothing)."""
    if wants_json(request):
        return posted_json(request, article.pk, held_message())
    messages.success(request, held_message())
    return redirect(page_url(article, sort=settings.COMMENTS_DEFAULT_SORT, page=1))


@require_http_methods(["GET"])
def reply(request, pk: int):
    """The reply form for readers without JavaScript (with it, the form opens under the comment)."""
    parent = visible_comment(pk)
    if parent is None:
        return error_page(request, _("The comment you are replying to is no longer available."), status=404)
    article = parent.article
    if not discussion_open(article):
        return error_page(request, _("Comments on this article are closed."), status=403, article=article)
    form = CommentForm(article=article, user=request.user, parent=parent)
    return render(request, "comments/reply.html", {"article": article, "parent": parent, "form": form})


def permalink(request, pk: int):
    """Send a reader to the page that shows a comment, anchored at it."""
    comment = public_comment(pk, "thread")
    if comment is None:
        raise Http404
    if not Comment.objects.filter(pk=pk).displayable().exists():
        return redirect(page_url(comment.article, sort=settings.COMMENTS_DEFAULT_SORT, page=1))
    return redirect(comment_url(comment))


def thread(request, pk: int):
    """One thread on its own page (for long reply chains), in display order, 100 comments a page."""
    root = Comment.objects.select_related("article").filter(pk=pk, parent__isnull=True).first()
    if root is None or not root.article.is_public:
        raise Http404
    size = settings.COMMENTS_THREAD_PAGE_SIZE
    try:
        offset = max(0, int(request.GET.get("offset", "")))
    except ValueError:
        try:
            offset = (max(1, int(request.GET.get("page", "1"))) - 1) * size
        except ValueError:
            offset = 0
    offset = min(offset, 10**7)
    rows = list(thread_rows(root.pk)[offset : offset + size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    cap = settings.COMMENTS_MAX_DEPTH
    for c in rows:
        c.level = min(c.depth, cap)
    decorate(rows)
    is_open = discussion_open(root.article)
    parts = render_comments(rows, discussion_open=is_open)
    next_offset = offset + size if has_more else None
    next_url = f"{reverse('comments:thread', kwargs={'pk': root.pk})}?page={offset // size + 2}" if has_more else ""
    if request.GET.get("fragment") == "1":
        return JsonResponse(
            {
                "html": "".join(html for _pk, _level, html in parts),
                "next_offset": next_offset,
                "next_url": next_url,
            }
        )
    context = {
        "article": root.article,
        "root": root,
        "parts": parts,
        "page": offset // size + 1,
        "prev_url": f"{reverse('comments:thread', kwargs={'pk': root.pk})}?page={offset // size}" if offset else "",
        "next_url": next_url,
    }
    return render(request, "comments/thread.html", context)


def vote_gone(request):
    return error_page(request, _("This comment can no longer be rated."), status=404)


@require_POST
def vote(request, pk: int):
    if visible_comment(pk) is None:  # comment_vote checks the comment, not its article
        return vote_gone(request)
    value = {"1": 1, "-1": -1}.get(request.POST.get("value", ""))
    if value is None:
        return error_page(request, _("Unknown vote."), status=400)
    if rate_limited("vote", ip_hash(request), settings.COMMENTS_RATE_VOTE):
        security_event("rate_limited", request, scope="comment_vote")
        return logged(error_page(request, _("Too many votes. Please wait a little."), status=429))
    try:
        result = comment_vote(comment_id=pk, voter_key=reader_key(request), value=value)
    except CommentError as error:
        return error_page(request, error.message, status=error.status)
    if wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "likes": result.likes,
                "dislikes": result.dislikes,
                "score": result.score,
                "vote": result.value,
            }
        )
    comment = Comment.objects.select_related("article", "thread").get(pk=pk)
    messages.success(request, _("Thank you for your vote.") if result.value else _("Your vote was taken back."))
    return redirect(comment_url(comment) if comment.is_visible else comment.article.get_absolute_url())


@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    comment = visible_comment(pk, or_hidden_by_reports=request.method == "POST")
    if comment is None:
        return error_page(request, _("This comment can no longer be reported."), status=404)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited("report", ip_hash(request), settings.COMMENTS_RATE_REPORT):
            security_event("rate_limited", request, scope="comment_report")
            return logged(error_page(request, _("Too many reports. Please wait a little."), status=429))
        if form.is_valid():
            try:
                hid = comment_report(
                    comment_id=comment.pk,
                    reporter_key=reader_key(request),
                    reason=form.cleaned_data["reason"],
                    explanation=form.cleaned_data["explanation"],
                    user=request.user,
                )
            except CommentError as error:
                return error_page(request, error.message, status=error.status, article=comment.article)
            message = _("Thank you. Moderators will review the comment.")
            if wants_json(request):
                return JsonResponse({"ok": True, "message": message})
            messages.success(request, message)
            shown = comment.is_visible and not hid
            return redirect(comment_url(comment) if shown else comment.article.get_absolute_url())
        if not comment.is_visible:  # the form again would show a comment that is now under review
            return error_page(request, _("This comment can no longer be reported."), status=404)
        status = 400
    context = {"comment": comment, "article": comment.article, "form": form}
    if wants_json(request) or request.GET.get("fragment") == "1":
        html = render_to_string("comments/_report_form.html", context, request=request)
        if wants_json(request):
            return JsonResponse({"ok": status == 200, "form_html": html}, status=status)
        return HttpResponse(html, status=status)
    return render(request, "comments/report.html", context, status=status)


@require_POST
def unreport(request, pk: int):
    """Take back one's own report of a comment."""
    comment = public_comment(pk)
    if comment is None:
        raise Http404
    if not comment_unreport(comment_id=comment.pk, reporter_key=reader_key(request)):
        return error_page(request, _("You have not reported this comment."), status=404, article=comment.article)
    message = _("Your report was taken back.")
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message})
    messages.success(request, message)
    return redirect(comment.article.get_absolute_url() + "#comments")


def own_comment_or_error(request, pk: int):
    comment = public_comment(pk, "thread")
    if comment is None:
        return None, error_page(request, _("This comment does not exist."), status=404)
    if not can_edit(comment, user=request.user, own_ids=own_comments(request)):
        return None, error_page(
            request,
            _("Only the author can change a comment, and only for %(minutes)d minutes after posting it.")
            % {"minutes": settings.COMMENTS_EDIT_MINUTES},
            status=403,
            article=comment.article,
        )
    return comment, None


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    comment, error = own_comment_or_error(request, pk)
    if error:
        return error
    form = EditForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                comment = comment_edit(
                    comment=comment, body=form.cleaned_data["body"], client=Client.from_request(request)
                )
            except CommentError as exc:
                form.add_error("body", exc.message)
            else:
                if comment.reason == Reason.BANNED_WORD:  # only approved or pending comments can be edited
                    security_event("banned_word", request, article=comment.article_id, comment=comment.pk)
                message = _("Your comment was changed.") if comment.is_visible else posted_message(comment)
                messages.success(request, message)
                if comment.is_visible:
                    return redirect(comment_url(comment))
                return redirect(page_url(comment.article, sort=settings.COMMENTS_DEFAULT_SORT, page=1))
        status = 400
    context = {"comment": comment, "article": comment.article, "form": form}
    return render(request, "comments/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    comment, error = own_comment_or_error(request, pk)
    if error:
        return error
    if request.method == "POST":
        comment_remove(comment=comment)
        message = _("Your comment was deleted.")
        if wants_json(request):
            return JsonResponse({"ok": True, "message": message})
        messages.success(request, message)
        return redirect(page_url(comment.article, sort=settings.COMMENTS_DEFAULT_SORT, page=1))
    return render(request, "comments/delete.html", {"comment": comment, "article": comment.article})


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from mail clients; the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    hashed = check_unsubscribe_token(token)
    if hashed is None:
        return error_page(request, _("This unsubscribe link is not valid."), status=400)
    Comment.objects.filter(email_hash=hashed, notify_on_reply=True).update(notify_on_reply=False)
    return render(request, "comments/unsubscribed.html")
