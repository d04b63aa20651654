"""Bulk synthetic data for benchmarks (PostgreSQL only): every app's registered scale step.

    manage.py seed_scale --enterprises 1000000 [--prefecture-share 430100=0.3,430600=0.1]
    manage.py seed_scale --enterprises 50000 --reset
    manage.py seed_scale --enterprises 0 --complaints 100000 --reset  # complaints only

Synthetic rows are marked by the dedicated inactive user ``seed_scale``; ``--reset`` deletes
exactly those rows and nothing else. Each step (core.contributions.scale_step) brings its own
options and first checks that it can run; then the earlier rows are deleted, dependants first,
and the steps load in order. The directory's step is enterprises/scale.py.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tsprotect.core.contributions import registry

SEED_USERNAME = "seed_scale"


class Command(BaseCommand):
    help = "Load a large synthetic enterprise directory with COPY (PostgreSQL, benchmarks only)."

    def add_arguments(self, parser):
        for step in registry.scale_steps():
            if step.arguments:
                step.arguments(parser)
        parser.add_argument("--reset", action="store_true", help="delete earlier synthetic rows")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (reproducible)")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale loads with PostgreSQL COPY and is meant for benchmarks on "
                f"PostgreSQL; the default database here is {connection.vendor}. "
                "Set DATABASE_URL=postgres://… ."
            )
        steps = registry.scale_steps()
        user = self.seed_user()
        for step in steps:
            if step.check:
                step.check(options, user)
        # Later steps' rows point at earlier steps' rows: they go first.
        if options["reset"]:
            for step in reversed(steps):
                if step.reset:
                    step.reset(self, options, user)
        for step in steps:
            step.function(self, options, user)

    def seed_user(self):
        user, created = get_user_model().objects.get_or_create(
            username=SEED_USERNAME,
            defaults={"is_active": False, "display_name": "synthetic benchmark data"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user
