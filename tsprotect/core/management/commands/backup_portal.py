"""Back up the portal into one dated archive in BACKUP_DIR (tsprotect/core/backup.py).

    python manage.py backup_portal [--prune]

``make backup`` runs it; with ``--prune`` the archives past retention are deleted afterwards, as
the nightly task does.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tsprotect.core import backup


class Command(BaseCommand):
    help = "Write one archive of the database, the uploads and the evidence into BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune",
            action="store_true",
            help="then delete the archives older than BACKUP_KEEP_DAYS (the newest always kept)",
        )

    def handle(self, *args, prune=False, **options):
        try:
            made = backup.create_backup()
            removed = backup.prune_backups() if prune else []
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        members = made.manifest["members"]
        rows = sum(made.manifest["database"]["row_counts"].values())
        self.stdout.write(
            _(
                "%(archive)s: %(size)s bytes; %(tables)d tables (%(rows)d rows), "
                "%(files)d files of media and evidence."
            )
            % {
                "archive": made.path,
                "size": f"{made.path.stat().st_size:,}",
                "tables": len(made.manifest["database"]["row_counts"]),
                "rows": rows,
                "files": len(members) - 1,
            }
        )
        for folder in made.manifest["object_storage"]:
            self.stdout.write(
                _(
                    "%(setting)s: in object storage, not in this archive "
                    "(keep its bucket versioned)."
                )
                % {"setting": backup.FOLDERS[folder][0]}
            )
        for path in removed:
            self.stdout.write(_("Deleted, past retention: %(archive)s") % {"archive": path})
