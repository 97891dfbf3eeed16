from django.core.management.base import BaseCommand

from caching import article_changed, site_changed


class Command(BaseCommand):
    help = (
        "Tell the caches that data changed without the ORM's signals (a shell fix, QuerySet.update, a data "
        "migration, SQL): the whole site by default, or only the discussions of the given articles."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", type=int, nargs="+", metavar="ID", help="only these articles' discussions")

    def handle(self, *args, article=None, **options):
        if article:
            article_changed(*article)
            self.stdout.write(f"Discussions of {len(article)} article(s) marked as changed.")
        else:
            site_changed()
            self.stdout.write("Every cached page and fragment marked as changed.")
