"""Demo discussions under the demo articles, loaded by ``manage.py seed_demo`` (settings.DEMO_SEEDERS).

Idempotent: every demo comment has a submission token derived from its article and its number
(uuid5), so a second run finds them and writes nothing. The featured story gets a long
discussion (about 120 comments, with long reply chains, an editors' pick and an editorial
reply), two dozen other stories get a few comments each, and a handful wait in the moderation
queue (held for links, reported, a rejected insult) so the admin has something to show.
"""

import random
import uuid
import zlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.demo import STORIES, story_slug
from articles.models import Article

from .models import Comment, CommentStatus, Reason, Report, path_segment
from .services import comment_count_refresh
from .text import fingerprint

NAMESPACE = uuid.UUID("6f1c2a52-5b0e-4d39-9a77-2f1e0c9b8a11")
LONG_DISCUSSION = 120
OTHER_ARTICLES = 24

NAMES = [
    "Иван Петров", "Мария Георгиева", "Георги", "Деси от Пловдив", "Стоян Стоянов", "Пенка", "bai_Ganyo",
    "Николай Д.", "Елена Илиева", "Читател от Варна", "Тодор", "Калина", "Петър Иванов", "Веселин",
    "Анонимен", "Радостина", "Христо Б.", "Ваня", "Любомир", "Цвети", "Димитър от Русе", "Гост",
    "Светла", "Мартин К.", "Йордан", "Ели", "старият учител", "Борис", "Никол", "Асен",
]  # fmt: skip

OPENERS = [
    "Най-после някой да напише това открито. Години наред се говори, а нищо не се променя.",
    "Интересно ми е откъде са данните. Може ли източникът да бъде посочен по-ясно?",
    "Хубав материал, благодаря на журналиста. Рядко се чете толкова спокойно и подробно обяснение.",
    "Пак едно и също. Обещания преди избори, а после никой не помни какво е казал.",
    "Живея в района и мога да потвърдя – ситуацията е точно такава, даже по-зле.",
    "Не съм съгласен със заключението. Цифрите в третия абзац показват по-скоро обратното.",
    "Някой знае ли кога точно влиза в сила промяната? В статията не пише.",
    "Това е добра новина, поне веднъж. Дано да не остане само на хартия.",
    "Въпросът е кой ще плати накрая. Както винаги – обикновените хора.",
    "Сравнете с Румъния и Гърция – там подобни неща се решиха за месеци.",
    "Чета коментарите и се чудя дали някой изобщо е прочел статията до края.",
    "Прочетох и оригиналния документ, в него има още интересни подробности, които тук липсват.",
    "Моят опит е съвсем различен. Миналата година минах през същото и всичко стана за седмица.",
    "Браво! Така трябва да се работи – прозрачно и с ясни срокове.",
    "А защо никой не пита за парите? Колко струва всичко това и кой ги одобри?",
    "Децата ни заслужават повече от това. Стига отлагане.",
    "Малко тъжно, но очаквано. Дано поне следващия път да се поучим.",
    "Има ли официално становище от общината? Би било полезно да се добави.",
    "Човек като прочете такава новина, и му иде да си събере багажа. Но после си казва – тук е домът ни.",
    "Важното е да се гласува и да се следи какво се прави. Само да мрънкаме не стига.",
    "Няма как да не отбележа, че заглавието е малко пресилено спрямо съдържанието.",
    "Поредното доказателство, че без натиск от гражданите нищо не се случва.",
    "Спортът ни има нужда точно от такива млади хора. Успех на момчетата!",
    "Цените растат всеки месец, а заплатите стоят. Това е реалността извън София.",
]  # fmt: skip

REPLIES = [
    "Точно така, напълно съм съгласен.",
    "Не бих казал. Има и друга гледна точка, която статията пропуска.",
    "Източникът е посочен най-долу – предаде БТА.",
    "А вие какво предлагате конкретно?",
    "Зависи от общината. При нас нещата стоят по-различно.",
    "Хубаво го казахте, но практиката показва друго.",
    "Благодаря за уточнението, не го знаех.",
    "Мисля, че бъркате две различни неща – едното е закон, другото е наредба.",
    "Ха-ха, това с Гърция е вярно, но там и заплатите са други.",
    "Всичко е въпрос на воля. Когато искат, могат.",
    "Четох същото и в други медии, потвърдено е.",
    "Спокойно, нека първо видим какво ще стане на практика.",
    "Имате право, но не е само тяхна вината.",
    "Прав сте за цифрите, проверих ги и аз.",
    "Дано. Но не съм оптимист.",
    "Именно затова трябва да се гласува, а не да се седи вкъщи.",
    "Пишете като човек, който знае за какво става дума. Благодаря.",
    "Не съвсем. В края на статията е обяснено защо е така.",
]  # fmt: skip

EDITORIAL_REPLY = (
    "Благодарим за въпроса! Промяната влиза в сила от първо число на следващия месец – добавихме "
    "уточнение в текста. Редакцията"
)
HELD = [
    (
        "Вижте тук https://example.org/oferta и тук https://example.org/bonus и https://example.org/pari – "
        "печелите всеки ден!",
        CommentStatus.PENDING,
        Reason.LINKS,
    ),
    ("zdrasti kak si 6te hodim li na mach v nedelq", CommentStatus.PENDING, Reason.LATIN_BULGARIAN),
    ("Авторът е пълен идиот.", CommentStatus.REJECTED, Reason.BANNED_WORD),
]


def _token(article: Article, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{article.slug}:{n}")


def _demo_articles() -> list[Article]:
    slugs = [story_slug(story) for story in STORIES]
    return list(Article.objects.published().filter(slug__in=slugs).order_by("-is_featured", "-published_at"))


def _plan(article: Article, total: int, rng: random.Random) -> list[dict]:
    """Who writes what, in reply to which earlier comment, and when."""
    now = timezone.now()
    start = article.published_at + timedelta(minutes=rng.randint(3, 40))
    span = max(60.0, min((now - start).total_seconds() - 60, 3 * 86400))
    plan = []
    for n in range(total):
        parent = None
        if plan and rng.random() < 0.55:
            # Replies cluster under recent and popular comments; some chains run deep.
            parent = rng.choice(plan[-12:]) if rng.random() < 0.7 else rng.choice(plan)
        text_pool = REPLIES if parent else OPENERS
        likes = int(rng.paretovariate(1.6)) - 1 if rng.random() < 0.7 else 0
        dislikes = int(rng.paretovariate(2.2)) - 1 if rng.random() < 0.4 else 0
        plan.append(
            {
                "n": n,
                "parent": parent,
                "name": rng.choice(NAMES),
                "body": rng.choice(text_pool),
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


def _seed_article(article: Article, total: int, *, showcase: bool) -> int:
    if Comment.objects.filter(article=article, submission_token=_token(article, 0)).exists():
        return 0
    rng = random.Random(article.slug)  # noqa: S311 - demo text, not a secret
    made: dict[int, Comment] = {}
    for item in _plan(article, total, rng):
        parent = made.get(item["parent"]["n"]) if item["parent"] else None
        made[item["n"]] = _create(article, item, parent)
    if showcase:
        best = max(made.values(), key=lambda c: (c.parent_id is None, c.score))
        Comment.objects.filter(pk=best.pk).update(is_pinned=True)
        question = next(c for c in made.values() if "кога точно" in c.body or c.body.endswith("?"))
        extra = {"likes": 12, "dislikes": 0, "at": question.created_at + timedelta(minutes=25)}
        _create(
            article,
            {**extra, "n": total, "name": "Редакцията", "body": EDITORIAL_REPLY},
            question,
            is_staff_reply=True,
            reason=Reason.STAFF,
        )
        for i, (body, status, reason) in enumerate(HELD):
            item = {"n": total + 1 + i, "name": NAMES[i], "body": body, "likes": 0, "dislikes": 0}
            item["at"] = timezone.now() - timedelta(minutes=30 - i)
            _create(article, item, None, status=status, reason=reason)
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
    created = 0
    with transaction.atomic():
        created += _seed_article(articles[0], LONG_DISCUSSION, showcase=True)
        for i, article in enumerate(articles[1 : OTHER_ARTICLES + 1]):
            size = random.Random(article.slug).randint(2, 18) if i % 5 else 0  # noqa: S311 - demo text
            created += _seed_article(article, size, showcase=False)
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
