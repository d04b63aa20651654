"""Demo users and data so that `make run` shows a living portal. Safe to run again.

Each app registers its own demo step (core.contributions.demo_step); this command runs them in
order, in one transaction, and sums up what the steps report."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsprotect.core.contributions import registry


class Command(BaseCommand):
    help = "Create the demo users and demo data (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password; it runs only with DEBUG on."
            )
        done = []
        with transaction.atomic():
            for step in registry.demo_steps():
                # A step returns what it made, for the summary (e.g. "10 enterprises"), or None.
                if summary := step.function():
                    done.append(summary)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {', '.join(done)}."))
