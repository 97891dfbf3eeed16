import time
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Load the demo content: runs every seeder in settings.DEMO_SEEDERS, in order. Safe to run again: "
        "nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete the demo rows (each seeder module's reset(), in reverse order), then seed afresh "
            "with dates relative to now.",
        )

    def handle(self, *args, reset=False, **options):
        seeders = [(path, self._load(path)) for path in settings.DEMO_SEEDERS]
        started = time.perf_counter()
        if reset:
            for path, _ in reversed(seeders):
                remove = getattr(import_module(path.rpartition(".")[0]), "reset", None)
                if remove is not None:
                    remove(stdout=self.stdout)
        for path, seed in seeders:
            began = time.perf_counter()
            seed(stdout=self.stdout)
            self.stdout.write(f"{path}: {time.perf_counter() - began:.2f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {len(seeders)} seeder(s) in {time.perf_counter() - started:.2f} s."
            )
        )

    @staticmethod
    def _load(path: str):
        try:
            return import_string(path)
        except ImportError as exc:
            raise CommandError(f"DEMO_SEEDERS: cannot import {path!r}: {exc}") from exc
