from django.core.management.base import BaseCommand

from comments.services import comment_count_refresh


class Command(BaseCommand):
    help = "Recount every article's public comment count from its comments; prints how many were wrong."

    def handle(self, *args, **options):
        fixed = comment_count_refresh()
        self.stdout.write(f"{fixed} article counts fixed")
