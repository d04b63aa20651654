"""``manage.py import_enterprises FILE --prefecture 430100 --user USERNAME [--dry-run]``."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enterprises import importing
from tsprotect.regions.models import Prefecture


class Command(BaseCommand):
    help = "Import the enterprise directory of a prefecture from an XLSX or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="XLSX or CSV file with the template's headers")
        parser.add_argument("--prefecture", required=True, help="division code, e.g. 430100")
        parser.add_argument("--user", required=True, help="username the changes are recorded as")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("No active user is called %(username)s.") % {"username": options["user"]}
            ) from None
        try:
            prefecture = Prefecture.objects.get(pk=options["prefecture"])
        except Prefecture.DoesNotExist:
            raise CommandError(
                _("No prefecture has the code %(code)s.") % {"code": options["prefecture"]}
            ) from None
        try:
            with open(options["file"], "rb") as handle:
                if options["dry_run"]:
                    preview = importing.prepare_import(handle, user=user, prefecture=prefecture)
                    if preview.errors:
                        self._fail(preview.errors, preview.error_count)
                    self.stdout.write(
                        _(
                            "Dry run, nothing written: %(rows)d rows, %(created)d new, "
                            "%(updated)d to update, %(unchanged)d unchanged."
                        )
                        % {
                            "rows": preview.row_count,
                            "created": preview.create_count,
                            "updated": preview.update_count,
                            "unchanged": preview.unchanged_count,
                        }
                    )
                    return
                result = importing.run_import(handle, user=user, prefecture=prefecture)
        except OSError as error:
            raise CommandError(str(error)) from None
        except (PermissionDenied, importing.SpreadsheetError) as error:
            raise CommandError(str(error)) from None
        except importing.ImportRejected as rejected:
            self._fail(rejected.errors, len(rejected.errors))
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )

    def _fail(self, errors, count):
        for error in errors:
            if error["row"] is None:
                self.stderr.write(error["message"])
            else:
                self.stderr.write(
                    _("Row %(row)d, %(column)s: %(message)s")
                    % {"row": error["row"], "column": error["column"], "message": error["message"]}
                )
        raise CommandError(_("%(count)d errors; nothing was imported.") % {"count": count})
