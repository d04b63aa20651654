"""The core of the enterprise record: credit code checks, county consistency, history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprises.models import Enterprise
from tsprotect.core.validators import uscc_division_code, validate_uscc

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db


def test_a_valid_credit_code_passes_and_is_normalised(regions):
    code = make_uscc("430104")
    enterprise = Enterprise(uscc=code.lower(), name="测试有限公司", prefecture_id="430100")
    enterprise.full_clean()
    enterprise.save()
    assert enterprise.uscc == code
    assert uscc_division_code(code) == "430104"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91430104MA4L0A1B2", "18"),
        ("91430104MA4L0A1B2X", "校验"),
        ("91430104MA4L0A1B#Q", "不是有效"),
    ],
)
def test_a_bad_credit_code_gets_a_clear_chinese_message(code, message):
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert message in str(error.value.messages[0])


def test_the_county_must_belong_to_the_prefecture(regions):
    enterprise = Enterprise(
        uscc=make_uscc("430603"), name="测试有限公司", prefecture_id="430100", county_id="430603"
    )
    with pytest.raises(ValidationError, match="不属于所选市州"):
        enterprise.full_clean()


def test_the_credit_code_is_unique(changsha_enterprise):
    duplicate = Enterprise(uscc=changsha_enterprise.uscc, name="另一家", prefecture_id="430100")
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_changes_are_recorded_with_who_and_when(changsha_enterprise, changsha_officer):
    changsha_enterprise.name = "长沙麓谷芯片科技股份有限公司"
    changsha_enterprise._history_user = changsha_officer
    changsha_enterprise.save()
    record = changsha_enterprise.history.first()
    assert record.history_user == changsha_officer and record.history_type == "~"
    page = client_for(changsha_officer).get(
        reverse("enterprises:detail", args=[changsha_enterprise.pk])
    )
    assert page.context["history"][0]["record"].history_user == changsha_officer


def test_provincial_staff_edit_calendar_overrides_in_the_admin(province):
    client = client_for(province)
    response = client.post(
        reverse("admin:regions_calendaroverride_add"),
        {"date": "2027-10-09", "kind": "workday", "name": "国庆调休"},
    )
    assert response.status_code == 302
    import datetime as dt

    from tsprotect.regions.calendar import is_workday

    assert is_workday(dt.date(2027, 10, 9))
