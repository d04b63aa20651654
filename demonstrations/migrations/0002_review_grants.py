"""Record the reviewers' access still granted (from their assignment), and withdraw it from the
applications whose expert review is over."""

from django.db import migrations
from django.utils import timezone

REVIEW = "review_application"
UNDER_REVIEW = "under_review"


def record_review_grants(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    AccessGrant = apps.get_model("core", "AccessGrant")
    Application = apps.get_model("demonstrations", "DemonstrationApplication")
    ExpertAssignment = apps.get_model("demonstrations", "ExpertAssignment")
    content_type = ContentType.objects.filter(
        app_label="demonstrations", model="demonstrationapplication"
    ).first()
    if content_type is None:
        return
    now = timezone.now()
    for permission in UserObjectPermission.objects.filter(
        content_type=content_type, permission__codename=REVIEW
    ):
        application = Application.objects.filter(pk=int(permission.object_pk)).first()
        if application is None:
            permission.delete()
            continue
        assignment = ExpertAssignment.objects.filter(
            application=application, expert_id=permission.user_id
        ).first()
        granted_at = assignment.assigned_at if assignment else now
        record = AccessGrant(
            content_type=content_type,
            object_pk=permission.object_pk,
            permission=REVIEW,
            user_id=permission.user_id,
            granted_at=granted_at,
            granted_by_id=assignment.assigned_by_id if assignment else None,
        )
        if application.state != UNDER_REVIEW:
            record.revoked_at = max(application.decided_at or now, granted_at)
            record.revoke_reason = "review_ended"
            permission.delete()
        record.save()


class Migration(migrations.Migration):
    dependencies = [
        ("demonstrations", "0001_initial"),
        ("core", "0001_access_grants"),
        ("guardian", "0002_generic_permissions_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(record_review_grants, migrations.RunPython.noop),
    ]
