"""Fill in the data the new records need.

- The county a hand-over came from: a county officer could only hand on a complaint of its own
  county, so a transfer made by a county officer came from that officer's county. Any other
  transfer (by a prefecture officer or provincial staff) left no record of the county the
  complaint had then: it stays empty, and county officers do not see its trace.
- The experts consulted: each consultation still granted gets its record (from the first step
  that consulted the expert), and the consultations on complaints already closed are withdrawn.
"""

from django.db import migrations
from django.utils import timezone

COUNTY_OFFICER = "county_officer"
CONSULT = "consult_complaint"


def fill_transfer_counties(apps, schema_editor):
    JurisdictionTransfer = apps.get_model("complaints", "JurisdictionTransfer")
    for transfer in JurisdictionTransfer.objects.filter(from_county__isnull=True).select_related(
        "by"
    ):
        if transfer.by.role == COUNTY_OFFICER and transfer.by.county_id:
            transfer.from_county_id = transfer.by.county_id
            transfer.save(update_fields=["from_county"])


def record_expert_grants(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    AccessGrant = apps.get_model("core", "AccessGrant")
    Complaint = apps.get_model("complaints", "Complaint")
    InvestigationStep = apps.get_model("complaints", "InvestigationStep")
    content_type = ContentType.objects.filter(app_label="complaints", model="complaint").first()
    if content_type is None:
        return
    now = timezone.now()
    held = UserObjectPermission.objects.filter(
        content_type=content_type, permission__codename=CONSULT
    )
    for permission in held:
        complaint = Complaint.objects.filter(pk=int(permission.object_pk)).first()
        if complaint is None:
            permission.delete()
            continue
        step = (
            InvestigationStep.objects.filter(complaint=complaint, experts=permission.user_id)
            .order_by("recorded_at", "pk")
            .first()
        )
        granted_at = step.recorded_at if step else now
        record = AccessGrant(
            content_type=content_type,
            object_pk=permission.object_pk,
            permission=CONSULT,
            user_id=permission.user_id,
            granted_at=granted_at,
            granted_by_id=step.recorded_by_id if step else None,
        )
        if complaint.state == "closed":
            record.revoked_at = max(complaint.closed_at or now, granted_at)
            record.revoke_reason = "closed"
            permission.delete()
        if not AccessGrant.objects.filter(
            content_type=content_type,
            object_pk=permission.object_pk,
            permission=CONSULT,
            user_id=permission.user_id,
            revoked_at=None,
        ).exists():
            record.save()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_transfer_from_county"),
        ("core", "0001_access_grants"),
        ("guardian", "0002_generic_permissions_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(fill_transfer_counties, migrations.RunPython.noop),
        migrations.RunPython(record_expert_grants, migrations.RunPython.noop),
    ]
