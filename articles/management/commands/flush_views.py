from django.core.management.base import BaseCommand, CommandError

from articles.stats import FlushBusy, flush_views


class Command(BaseCommand):
    help = (
        "Write the page views counted in the cache to the database (hourly rows) and drop old rows. "
        "Run it every few minutes (cron or a systemd timer); counters not flushed within "
        "VIEW_COUNTER_HOURS expire."
    )

    def handle(self, *args, **options):
        try:
            result = flush_views()
        except FlushBusy:
            raise CommandError("Another flush_views is running.") from None
        self.stdout.write(
            f"Flushed {result.views} views into {result.rows} hourly rows; pruned {result.pruned} old rows."
        )
