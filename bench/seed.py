"""A realistic data set for the benchmark, written with bulk_create (about a minute on PostgreSQL).

5,000 published articles in 8 sections with 200 tags (3 each), 20 sources and 40 authors, and four
articles whose discussions hold 0, 200, 1,000 and 5,000 approved comments in threads (replies up to
four levels deep). Deterministic (seeded random), so runs compare.
"""

import random
import uuid
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

ARTICLES = 5000
TAGS = 200
DISCUSSIONS = {f"bench-comments-{n}": n for n in (0, 200, 1000, 5000)}
WORDS = [
    "правителството",
    "министър",
    "парламентът",
    "депутатите",
    "община",
    "София",
    "Пловдив",
    "Варна",
    "бюджет",
    "реформа",
    "избори",
    "президентът",
    "съдът",
    "прокуратурата",
    "болница",
    "училище",
    "пътя",
    "магистрала",
    "енергетика",
    "цените",
    "инфлация",
    "заплати",
    "пенсии",
    "данъци",
    "европейски",
    "съюз",
    "НАТО",
    "икономиката",
    "банката",
    "инвестиции",
    "туризъм",
    "земеделие",
    "времето",
    "дъжд",
    "сняг",
    "температури",
    "спорт",
    "футбол",
    "отбор",
    "мач",
    "гол",
    "треньор",
    "култура",
    "театър",
    "концерт",
    "изложба",
    "книга",
    "филм",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words)).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 6)))


def is_seeded() -> bool:
    from articles.models import Article

    return Article.objects.filter(slug__startswith="bench-").count() >= ARTICLES


@transaction.atomic
def seed(stdout=print) -> None:
    from articles.models import Article, Author, Section, Source, Status, Tag

    rng = random.Random(7)
    now = timezone.now()
    sections = [
        Section.objects.get_or_create(slug=slug, defaults={"name": name, "position": i})[0]
        for i, (slug, name) in enumerate(
            [
                ("bulgaria", "България"),
                ("svyat", "Свят"),
                ("ikonomika", "Икономика"),
                ("politika", "Политика"),
                ("sport", "Спорт"),
                ("kultura", "Култура"),
                ("obshtestvo", "Общество"),
                ("tehnologii", "Технологии"),
            ]
        )
    ]
    sources = [
        Source.objects.get_or_create(
            slug=f"bench-source-{i}", defaults={"name": f"Агенция {i}", "short_name": f"АГ{i}", "attribution": ""}
        )[0]
        for i in range(20)
    ]
    authors = [
        Author.objects.get_or_create(slug=f"bench-author-{i}", defaults={"name": f"Автор Авторов {i}"})[0]
        for i in range(40)
    ]
    Tag.objects.bulk_create(
        [Tag(name=f"етикет {i} {rng.choice(WORDS)}", slug=f"bench-tag-{i}") for i in range(TAGS)],
        ignore_conflicts=True,
    )
    tags = list(Tag.objects.filter(slug__startswith="bench-tag-"))
    special = list(DISCUSSIONS)
    articles = []
    for i in range(ARTICLES):
        slug = special[i] if i < len(special) else f"bench-article-{i}"
        body = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(5, 9)))
        articles.append(
            Article(
                title=sentence(rng, rng.randint(6, 11))[:-1],
                slug=slug,
                lead=sentence(rng, 16)[:290],
                body=body,
                section=sections[i % len(sections)],
                source=sources[i % len(sources)],
                status=Status.PUBLISHED,
                published_at=now - timedelta(minutes=7 * i + 1),
                comments_enabled=True,
            )
        )
    Article.objects.bulk_create(articles, batch_size=500, ignore_conflicts=True)
    articles = list(Article.objects.filter(slug__startswith="bench-").only("pk", "slug"))
    Through = Article.tags.through
    Through.objects.bulk_create(
        [Through(article_id=a.pk, tag_id=t.pk) for a in articles for t in rng.sample(tags, 3)],
        batch_size=2000,
        ignore_conflicts=True,
    )
    Authors = Article.authors.through
    Authors.objects.bulk_create(
        [Authors(article_id=a.pk, author_id=rng.choice(authors).pk) for a in articles],
        batch_size=2000,
        ignore_conflicts=True,
    )
    by_slug = {a.slug: a for a in articles}
    for slug, count in DISCUSSIONS.items():
        seed_comments(by_slug[slug], count, rng, now)
    stdout(f"seeded {len(articles)} articles, {len(tags)} tags, discussions {DISCUSSIONS}")


def seed_comments(article, count: int, rng: random.Random, now) -> None:
    """``count`` approved comments on ``article``: 40 % start a thread, the rest reply (depth ≤ 4)."""
    from comments.models import Comment, CommentStatus, path_segment
    from comments.services import comment_count_refresh

    if not count or Comment.objects.filter(article=article).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM comments_comment")
        next_id = cursor.fetchone()[0] + 1
    rows: list[Comment] = []
    for n in range(count):
        pk = next_id + n
        parent = rng.choice(rows[-50:]) if rows and rng.random() > 0.4 else None
        if parent is not None and parent.depth >= 4:
            parent = parent.parent if parent.parent is not None else parent
            parent = parent if parent.depth < 4 else None
        created = now - timedelta(minutes=count - n)
        comment = Comment(
            pk=pk,
            article_id=article.pk,
            parent=parent,
            thread_id=parent.thread_id if parent else pk,
            depth=parent.depth + 1 if parent else 0,
            path=(parent.path if parent else "") + path_segment(pk),
            author_name=f"Читател {rng.randint(1, 900)}",
            author_key=f"bench:{rng.randint(1, 900)}",
            body=paragraph(rng)[: rng.randint(80, 600)],
            fingerprint=uuid.uuid4().hex,
            status=CommentStatus.APPROVED,
            likes=(likes := rng.randint(0, 30)),
            dislikes=(dislikes := rng.randint(0, 10)),
            score=likes - dislikes,
            created_at=created,
        )
        rows.append(comment)
    Comment.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    # The counters the services keep (the article's public count, each thread's visible count), as they would.
    comment_count_refresh([article.pk])


WRITER_NAME = "Пишещ "  # the write mix's commenters (bench/load.py)


def drop_write_mix_comments() -> None:
    """Take out what an earlier run's write mix posted, so every run measures the seeded discussions
    (the mix posts to the article with 200 comments, which would otherwise grow by ~1,000 a run)."""
    from comments.models import Comment
    from comments.services import comment_count_refresh

    posted = Comment.objects.filter(article__slug__startswith="bench-", author_name__startswith=WRITER_NAME)
    article_ids = set(posted.values_list("article_id", flat=True))
    if article_ids:
        with transaction.atomic():
            posted.delete()
            comment_count_refresh(sorted(article_ids))
        print(f"dropped the write mix's comments on {len(article_ids)} article(s)")


if __name__ == "__main__":
    import django

    django.setup()
    if is_seeded():
        print("already seeded")
    else:
        seed()
    drop_write_mix_comments()
