"""A prefecture sends its directory changes up (§11); the province acknowledges them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enterprises import services
from enterprises.models import DirectorySubmission, Enterprise
from tsprotect.regions.models import Prefecture

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def changsha(regions):
    return Prefecture.objects.get(pk="430100")


def test_the_first_submission_reports_every_record_as_added(
    changsha, changsha_officer, changsha_enterprise, yueyang_enterprise
):
    submission = services.submit_directory_changes(changsha, user=changsha_officer, note="首次报送")
    assert (submission.added_count, submission.changed_count, submission.removed_count) == (1, 0, 0)
    assert submission.changes[0]["uscc"] == changsha_enterprise.uscc
    assert submission.directory_size == 1


def test_the_next_submission_reports_only_what_changed_since(
    changsha, changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    services.submit_directory_changes(changsha, user=changsha_officer)
    changsha_enterprise.name = "长沙麓谷芯片科技股份有限公司"
    changsha_enterprise.save()
    changsha_other_county_enterprise.status = Enterprise.Status.REMOVED
    changsha_other_county_enterprise.save()
    Enterprise.objects.create(
        uscc=make_uscc("430102", "MA4L7K8L9"),
        name="长沙新企业有限公司",
        prefecture_id="430100",
        county_id="430102",
    )
    pending = services.pending_changes(
        changsha, since=services.last_submission(changsha).period_end
    )
    assert {c["name"]: c["change"] for c in pending} == {
        "长沙麓谷芯片科技股份有限公司": "changed",
        "长沙星沙重工机械有限公司": "removed",
        "长沙新企业有限公司": "added",
    }
    second = services.submit_directory_changes(changsha, user=changsha_officer)
    assert (second.added_count, second.changed_count, second.removed_count) == (1, 1, 1)
    changed = next(c for c in second.changes if c["change"] == "changed")
    assert changed["fields"] == ["name"]


def test_a_record_added_then_removed_within_a_period_is_not_reported(changsha, changsha_officer):
    enterprise = Enterprise.objects.create(
        uscc=make_uscc("430102", "MA4L7K8L9"), name="临时企业", prefecture_id="430100"
    )
    enterprise.delete()
    assert services.pending_changes(changsha) == []


def test_a_submission_is_frozen(changsha, changsha_officer, changsha_enterprise):
    submission = services.submit_directory_changes(changsha, user=changsha_officer)
    changsha_enterprise.name = "改名后的企业"
    changsha_enterprise.save()
    submission.refresh_from_db()
    assert submission.changes[0]["name"] == "长沙麓谷芯片科技有限公司"
    submission.note = "篡改"
    with pytest.raises(ValueError):
        submission.save()


def test_only_the_prefecture_submits_and_only_the_province_acknowledges(
    changsha, changsha_officer, yueyang_officer, province, changsha_enterprise
):
    with pytest.raises(PermissionDenied):
        services.submit_directory_changes(changsha, user=yueyang_officer)
    submission = services.submit_directory_changes(changsha, user=changsha_officer)
    with pytest.raises(PermissionDenied):
        services.acknowledge_submission(submission, user=changsha_officer)
    services.acknowledge_submission(submission, user=province, note="已收悉")
    submission.refresh_from_db()
    assert submission.status == "acknowledged" and submission.acknowledged_by == province
    with pytest.raises(ValidationError):
        services.acknowledge_submission(submission, user=province)


def test_the_pages_submit_and_acknowledge(changsha_officer, province, changsha_enterprise):
    officer = client_for(changsha_officer)
    page = officer.get(reverse("enterprises:submissions"))
    assert [c["name"] for c in page.context["pending"][0]["changes"]] == [changsha_enterprise.name]
    response = officer.post(
        reverse("enterprises:submission_submit", args=["430100"]), {"note": "11月名录更新"}
    )
    submission = DirectorySubmission.objects.get()
    assert response["Location"] == submission.get_absolute_url()
    inbox = client_for(province).get(reverse("enterprises:submissions"))
    assert list(inbox.context["directorysubmission_list"]) == [submission]
    assert inbox.context["inbox"]
    client_for(province).post(
        reverse("enterprises:submission_acknowledge", args=[submission.pk]), {"note": "已收悉"}
    )
    submission.refresh_from_db()
    assert submission.status == "acknowledged"
    detail = officer.get(submission.get_absolute_url()).content.decode()
    assert "已收悉" in detail
