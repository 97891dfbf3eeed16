"""Demo discussions under the demo articles, loaded by ``manage.py seed_demo`` (settings.DEMO_SEEDERS).

Idempotent: every demo comment has a submission token derived from its article and its number
(uuid5), so a second run finds them and writes nothing. Deterministic: the same articles get the same
discussions (each article's random choices are seeded by its slug). The featured story gets a long
discussion (about 120 comments, with long reply chains, an editors' pick and an editorial reply to a
reader's question), two dozen other stories get a few comments each, and a handful wait in the
moderation queue (held for links, reported, a rejected insult) so the admin has something to show.

Every comment fits the article it is under: its words (comments/demo_content.py) were written for that
story, for its section, about its own quotation or source, or for any news.
"""

import random
import re
import uuid
import zlib
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.demo import STORIES, story_slug
from articles.demo_content import SOURCES, Story
from articles.models import Article

from .demo_content import (
    GENERIC_OPENERS,
    GENERIC_REPLIES,
    HELD,
    NAMES,
    QUESTION,
    QUESTIONS,
    QUOTE_OPENERS,
    SECTION_TEXTS,
    SOURCE_REPLY,
    STORY_TEXTS,
)
from .models import Comment, CommentStatus, Reason, Report, path_segment
from .services import comment_count_refresh
from .text import fingerprint

NAMESPACE = uuid.UUID("6f1c2a52-5b0e-4d39-9a77-2f1e0c9b8a11")
LONG_DISCUSSION = 120
OTHER_ARTICLES = 24


def texts_for(story: Story) -> tuple[list[str], list[str]]:
    """(openers, replies) that fit ``story``: written for it, for its section, about its quotation or source,
    or for any news."""
    openers, replies = STORY_TEXTS.get(story.title, ([], []))
    section_openers, section_replies = SECTION_TEXTS.get(story.section, ([], []))
    name, _role, words = story.quote
    first_sentence = re.split(r"(?<=[.!?])\s+", words.strip())[0]
    quoted = [template.format(name=name, words=first_sentence) for template in QUOTE_OPENERS]
    sourced = [SOURCE_REPLY.format(attribution=SOURCES[story.source][3])] if story.source else []
    return (
        [*openers, *section_openers, *quoted, *GENERIC_OPENERS],
        [*replies, *section_replies, *sourced, *GENERIC_REPLIES],
    )


def _cycle(texts: list[str], rng: random.Random) -> Iterator[str]:
    """The texts in a shuffled order, each once before any comes again."""
    order = list(texts)
    while True:
        rng.shuffle(order)
        yield from order


def _token(article: Article, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{article.slug}:{n}")


def _demo_articles() -> list[Article]:
    slugs = [story_slug(story) for story in STORIES]
    return list(Article.objects.published().filter(slug__in=slugs).order_by("-is_featured", "-published_at"))


def _plan(article: Article, story: Story, total: int, rng: random.Random) -> list[dict]:
    """Who writes what, in reply to which earlier comment, and when."""
    now = timezone.now()
    start = article.published_at + timedelta(minutes=rng.randint(3, 40))
    span = max(60.0, min((now - start).total_seconds() - 60, 3 * 86400))
    openers, replies = (_cycle(texts, rng) for texts in texts_for(story))
    plan = []
    for n in range(total):
        parent = None
        if plan and rng.random() < 0.55:
            # Replies cluster under recent and popular comments; some chains run deep.
            parent = rng.choice(plan[-12:]) if rng.random() < 0.7 else rng.choice(plan)
        likes = int(rng.paretovariate(1.6)) - 1 if rng.random() < 0.7 else 0
        dislikes = int(rng.paretovariate(2.2)) - 1 if rng.random() < 0.4 else 0
        plan.append(
            {
                "n": n,
                "parent": parent,
                "name": rng.choice(NAMES),
                "body": next(replies if parent else openers),
                "at": min(now, start + timedelta(seconds=span * (n + rng.random()) / total)),
                "likes": min(likes, 60),
                "dislikes": min(dislikes, 4),
            }
        )
    return plan


def _create(article: Article, item: dict, parent: Comment | None, **fields) -> Comment:
    author_key = f"i:demo-{zlib.crc32(item['name'].encode()):08x}"
    cap = settings.COMMENTS_MAX_DEPTH
    structural = parent if parent is None or parent.depth < cap else parent.parent
    depth = structural.depth + 1 if structural else 0
    body = fields.pop("body", item["body"])
    comment = Comment.objects.create(
        article=article,
        parent=structural,
        reply_to=parent,
        reply_to_name=parent.author_name if parent else "",
        depth=depth,
        author_name=fields.pop("name", item["name"]),
        ip_hash=author_key[2:],
        author_key=author_key,
        body=body,
        fingerprint=fingerprint(body),
        status=fields.pop("status", CommentStatus.APPROVED),
        reason=fields.pop("reason", Reason.ACCEPTED),
        likes=item["likes"],
        dislikes=item["dislikes"],
        score=item["likes"] - item["dislikes"],
        submission_token=_token(article, item["n"]),
        created_at=item["at"],
        **fields,
    )
    comment.thread_id = structural.thread_id if structural else comment.pk
    comment.path = (structural.path if structural else "") + path_segment(comment.pk)
    Comment.objects.filter(pk=comment.pk).update(thread_id=comment.thread_id, path=comment.path)
    return comment


def _seed_article(article: Article, story: Story, total: int, *, showcase: bool) -> int:
    if Comment.objects.filter(article=article, submission_token=_token(article, 0)).exists():
        return 0
    rng = random.Random(article.slug)  # noqa: S311 - demo text, not a secret
    made: dict[int, Comment] = {}
    for item in _plan(article, story, total, rng):
        parent = made.get(item["parent"]["n"]) if item["parent"] else None
        made[item["n"]] = _create(article, item, parent)
    if showcase:
        best = max(made.values(), key=lambda c: (c.parent_id is None, c.score))
        Comment.objects.filter(pk=best.pk).update(is_pinned=True)
        # A reader's question and the newsroom's answer.
        question, answer = QUESTIONS.get(story.title, QUESTION)
        asked_at = min(timezone.now(), article.published_at + timedelta(minutes=50))
        item = {"n": total, "name": rng.choice(NAMES), "body": question, "likes": 9, "dislikes": 0, "at": asked_at}
        asked = _create(article, item, None)
        extra = {"likes": 12, "dislikes": 0, "at": min(timezone.now(), asked_at + timedelta(minutes=25))}
        _create(
            article,
            {**extra, "n": total + 1, "name": "Редакцията", "body": answer},
            asked,
            is_staff_reply=True,
            reason=Reason.STAFF,
        )
        for i, (body, status, reason) in enumerate(HELD):
            item = {"n": total + 2 + i, "name": NAMES[i], "body": body, "likes": 0, "dislikes": 0}
            item["at"] = timezone.now() - timedelta(minutes=30 - i)
            _create(article, item, None, status=CommentStatus(status), reason=Reason(reason))
        reported = rng.choice([c for c in made.values() if c.parent_id])
        for i, reason in enumerate(["insult", "insult"]):
            Report.objects.create(comment=reported, reporter_key=f"i:demo-reporter-{i}", reason=reason)
        Comment.objects.filter(pk=reported.pk).update(report_count=2)
        gone = rng.choice([c for c in made.values() if c.parent_id is None and c.pk != best.pk])
        Comment.objects.filter(pk=gone.pk).update(status=CommentStatus.REMOVED)
    return len(made)


def seed(*, stdout) -> None:
    """Create the demo discussions that are missing."""
    articles = _demo_articles()
    if not articles:
        stdout.write("comments.demo: no demo articles yet (run articles.demo.seed first).")
        return
    stories = {story_slug(story): story for story in STORIES}
    created = 0
    with transaction.atomic():
        created += _seed_article(articles[0], stories[articles[0].slug], LONG_DISCUSSION, showcase=True)
        for i, article in enumerate(articles[1 : OTHER_ARTICLES + 1]):
            size = random.Random(article.slug).randint(2, 18) if i % 5 else 0  # noqa: S311 - demo text
            created += _seed_article(article, stories[article.slug], size, showcase=False)
        fixed = comment_count_refresh([a.pk for a in articles])
    stdout.write(
        f"comments.demo: {created} comments created on {len(articles)} demo articles ({fixed} counts updated)."
    )


def reset(*, stdout) -> None:
    """Delete the comments of the demo articles."""
    with transaction.atomic():
        articles = _demo_articles()
        deleted, _ = Comment.objects.filter(article__in=articles).delete()
        comment_count_refresh([a.pk for a in articles])
    stdout.write(f"comments.demo: {deleted} rows deleted.")
