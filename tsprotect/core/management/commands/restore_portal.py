"""Restore an archive of backup_portal into an empty database and empty folders.

    python manage.py restore_portal ARCHIVE [--verify-only]

The database is that of DATABASE_URL, the folders MEDIA_ROOT and EVIDENCE_ROOT; ``make restore
ARCHIVE=…`` runs it. ``--verify-only`` checks an archive's checksums (a copy kept off the machine,
say) and writes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tsprotect.core import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty media and evidence folders."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a tsprotect-backup-….tar")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="check every member against the manifest, restore nothing",
        )

    def handle(self, *args, archive, verify_only=False, **options):
        try:
            if verify_only:
                tar, manifest = backup.read_archive(archive)
                with tar:
                    backup.verify_archive(tar, manifest)
            else:
                manifest = backup.restore_backup(archive, progress=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        facts = {
            "archive": archive,
            "created": manifest["created_at"],
            "version": manifest["portal_version"],
            "tables": len(manifest["database"]["row_counts"]),
            "files": len(manifest["members"]) - 1,
        }
        if verify_only:
            message = _(
                "%(archive)s (made %(created)s by portal %(version)s): every checksum matches; "
                "%(tables)d tables, %(files)d files of media and evidence."
            )
        else:
            message = _(
                "Restored %(archive)s (made %(created)s by portal %(version)s): %(tables)d tables "
                "with the rows of the manifest, %(files)d files of media and evidence with their "
                "checksums. Run `manage.py migrate` if this portal's version is newer."
            )
        self.stdout.write(message % facts)
