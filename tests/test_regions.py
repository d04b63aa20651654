"""Hunan's divisions and the official working-day calendar."""

import datetime as dt

import pytest

from tsprotect.regions.calendar import add_workdays, is_workday, roll_to_workday, workdays_between
from tsprotect.regions.models import CalendarOverride, County, FtzArea, HostOrganisation, Prefecture

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_14_prefectures_and_122_counties_are_loaded():
    assert Prefecture.objects.count() == 14
    assert County.objects.filter(is_functional_zone=False).count() == 122
    assert Prefecture.objects.get(code="430100").name == "长沙市"
    assert Prefecture.objects.get(code="433100").name == "湘西土家族苗族自治州"
    assert County.objects.get(code="430104").name == "岳麓区"
    assert County.objects.get(code="430104").prefecture_id == "430100"


def test_every_county_code_starts_with_its_prefecture_code():
    for county in County.objects.all():
        assert county.code[:4] == county.prefecture_id[:4], county


def test_the_three_ftz_areas_belong_to_their_prefectures():
    assert dict(FtzArea.objects.values_list("name", "prefecture__name")) == {
        "长沙片区": "长沙市",
        "岳阳片区": "岳阳市",
        "郴州片区": "郴州市",
    }


def test_parks_are_seeded_from_the_functional_zones_but_management_areas_are_not():
    assert HostOrganisation.objects.get(name="湖南湘潭高新技术产业园区").kind == "high_tech_zone"
    assert HostOrganisation.objects.get(name="永州经济技术开发区").kind == "etdz"
    assert not HostOrganisation.objects.filter(name__endswith="管理区").exists()


def test_the_start_day_is_not_counted():
    # Monday 2026-11-23: the first working day after it is Tuesday.
    assert add_workdays(D(2026, 11, 23), 1) == D(2026, 11, 24)
    assert add_workdays(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Friday -> Monday


def test_national_day_holidays_are_skipped():
    # 2026: 1–7 October off; 10 October (Saturday) is a make-up workday.
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert add_workdays(D(2026, 9, 28), 7) == D(2026, 10, 13)


def test_make_up_workdays_count():
    assert is_workday(D(2026, 2, 14))  # Saturday before the Spring Festival
    assert not is_workday(D(2026, 2, 17))


def test_a_seven_working_day_limit_over_the_spring_festival():
    # 13th, 14th (make-up Saturday), then 16–23 off, then 24th–27th and the make-up 28th.
    assert add_workdays(D(2026, 2, 12), 7) == D(2026, 2, 28)


def test_staff_overrides_win_over_the_library():
    CalendarOverride.objects.create(date=D(2026, 11, 24), kind="holiday", name="临时调整")
    assert add_workdays(D(2026, 11, 23), 1) == D(2026, 11, 25)
    CalendarOverride.objects.create(date=D(2026, 11, 28), kind="workday", name="调休")
    assert is_workday(D(2026, 11, 28))


def test_a_future_year_never_crashes():
    assert add_workdays(D(2031, 12, 30), 10).year == 2032
    assert add_workdays(D(2150, 1, 1), 7) == D(2150, 1, 12)  # beyond the lunar tables: weekends
    assert is_workday(D(2099, 6, 1)) in (True, False)


def test_n_zero_rolls_a_holiday_to_the_next_working_day():
    assert add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 8)
    assert roll_to_workday(D(2026, 11, 24)) == D(2026, 11, 24)


def test_working_days_between():
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert workdays_between(D(2026, 10, 8), D(2026, 10, 8)) == 0


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_workdays(D(2026, 1, 5), -1)
