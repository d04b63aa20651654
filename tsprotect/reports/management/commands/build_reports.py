"""Build periodic reports in this process, through the same code as the Celery task.

    python manage.py build_reports --period 2026-Q3 [--prefecture 430100] [--consolidation]

Without ``--prefecture`` every prefecture's report is built, then the consolidation.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tsprotect.regions.models import Prefecture
from tsprotect.reports import services
from tsprotect.reports.models import ReportBuild


class Command(BaseCommand):
    help = "Build the periodic reports of a period (2026-09, 2026-Q3 or 2026)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026-09, 2026-Q3 or 2026")
        parser.add_argument("--prefecture", help="division code, e.g. 430100")
        parser.add_argument(
            "--consolidation",
            action="store_true",
            help="only the provincial consolidation",
        )

    def handle(self, *args, period, prefecture=None, consolidation=False, **options):
        if prefecture and consolidation:
            raise CommandError("Give --prefecture or --consolidation, not both.")
        if consolidation:
            codes = [None]
        elif prefecture:
            codes = [prefecture]
        else:
            codes = [*Prefecture.objects.values_list("code", flat=True), None]
        failed = 0
        for code in codes:
            try:
                build = services.build_now(period, code)
            except ValidationError as refused:
                raise CommandError(" ".join(refused.messages)) from None
            report = build.report
            name = report.prefecture.name if report and report.prefecture_id else "湖南省"
            if build.status == ReportBuild.Status.DONE:
                self.stdout.write(
                    f"{period} {code or '430000'} {name}: report {report.pk} built "
                    f"({report.get_status_display()}), "
                    f"PDF {report.pdf.name}, XLSX {report.xlsx.name}"
                )
            else:
                failed += 1
                self.stderr.write(f"{period} {code or '430000'}: failed — {build.error}")
        if failed:
            raise CommandError(f"{failed} report(s) could not be built.")
