"""Demonstration bases (§8): 3–5 in about three years is a target shown as progress, not a
ceiling; a base may cite the designated sites of several prefectures, which are recorded as
concerned and see it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demonstrations import services
from demonstrations.forms import ApplicationForm
from demonstrations.models import DemonstrationApplication
from demonstrations.workflow import State, Track
from tsprotect.accounts.models import Role
from tsprotect.notifications.models import Notification
from tsprotect.regions.models import HostOrganisation

from .conftest import client_for, make_user
from .test_demonstration_workflow import (
    attach,
    designated_directly,
    make_batch,
    new_application,
    state_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chenzhou_officer(regions):
    return make_user("officer_431000", Role.PREFECTURE_OFFICER, "431000")


def designated_site(user, prefecture, county, name):
    host = HostOrganisation.objects.create(
        name=f"{name}园区",
        kind=HostOrganisation.Kind.INDUSTRIAL_PARK,
        prefecture_id=prefecture,
        county_id=county,
    )
    return designated_directly(
        None,
        user,
        track=Track.SITE,
        batch=make_batch(Track.SITE),
        name=name,
        prefecture_id=prefecture,
        host_organisation=host,
    )


@pytest.fixture
def sites(province):
    return {
        "changsha": designated_site(province, "430100", "430104", "长沙麓谷示范点"),
        "changsha2": designated_site(province, "430100", "430121", "长沙星沙示范点"),
        "yueyang": designated_site(province, "430600", "430603", "岳阳石化示范点"),
    }


def file_base(user, sites, name="湘江流域示范基地", **fields):
    application = new_application(
        user, track=Track.BASE, batch=make_batch(Track.BASE), name=name, **fields
    )
    return services.create_application(application, user, sites=sites)


def test_a_sixth_base_is_accepted_and_the_list_shows_the_progress(
    sites, changsha_officer, province
):
    for n in range(5):
        designated_directly(
            None, province, track=Track.BASE, name=f"已有基地{n}", prefecture_id="430600"
        )
    base = file_base(changsha_officer, [sites["changsha"], sites["changsha2"]])
    attach(base, changsha_officer)

    assert services.transition(base, "submit", changsha_officer).state == State.RECOMMENDED
    progress = services.base_progress(province)
    assert (progress["designated"], progress["under_way"], progress["beyond"]) == (5, 1, 0)

    page = client_for(province).get(reverse("demonstrations:list"))
    html = page.content.decode()
    assert 'id="base-progress"' in html
    assert 'max="5" value="5"' in html
    assert "已认定 5 个，目标 3–5 个" in html and "1 个在建" in html
    assert "第8条" in html


def test_the_province_files_a_base_of_several_prefectures_who_see_it(
    sites, province, changsha_officer, yueyang_officer, chenzhou_officer
):
    with pytest.raises(ValidationError) as lead_without_site:
        file_base(province, [sites["changsha"], sites["yueyang"]], prefecture_id="431000")
    assert "prefecture" in lead_without_site.value.message_dict

    base = file_base(province, [sites["changsha"], sites["yueyang"]], prefecture_id="430100")
    assert set(base.concerned_prefectures.values_list("pk", flat=True)) == {"430100", "430600"}
    attach(base, province)
    assert services.transition(base, "submit", province).state == State.RECOMMENDED
    # The other prefecture concerned is told; the lead filed it with the province.
    assert Notification.objects.filter(
        recipient=yueyang_officer, kind="base_concerns_prefecture"
    ).exists()

    def sees(user):
        return DemonstrationApplication.objects.restrict(user).filter(pk=base.pk).exists()

    assert sees(changsha_officer) and sees(yueyang_officer) and not sees(chenzhou_officer)
    assert client_for(yueyang_officer).get(base.get_absolute_url()).status_code == 200
    assert client_for(chenzhou_officer).get(base.get_absolute_url()).status_code == 404
    page = client_for(yueyang_officer).get(base.get_absolute_url()).content.decode()
    assert "岳阳石化示范点（岳阳市）" in page
    # Seeing is not acting: the province acts on a base of several prefectures, not even its
    # lead bureau, which could not name the other prefecture's site.
    for officer in (yueyang_officer, changsha_officer):
        assert not services.acts_for_applicant(officer, base)
        assert services.available_transitions(base, officer) == []
    assert (
        client_for(changsha_officer)
        .get(reverse("demonstrations:update", args=[base.pk]))
        .status_code
        == 302
    )
    # One row per base, however many prefectures it concerns.
    assert DemonstrationApplication.objects.restrict(yueyang_officer).filter(
        track=Track.BASE
    ).count() == (1)


def test_a_prefecture_cites_only_its_own_sites(sites, changsha_officer):
    form = ApplicationForm(user=changsha_officer, track=Track.BASE)
    assert set(form.fields["sites"].queryset) == {sites["changsha"], sites["changsha2"]}
    assert "prefecture" not in form.fields

    with pytest.raises(ValidationError) as refused:
        file_base(changsha_officer, [sites["changsha"], sites["yueyang"]])
    assert "sites" in refused.value.message_dict
    assert not DemonstrationApplication.objects.filter(track=Track.BASE).exists()


def test_the_province_is_offered_every_designated_site_and_the_lead_prefecture(sites, province):
    make_batch(Track.BASE)
    form = ApplicationForm(user=province, track=Track.BASE)
    assert set(form.fields["sites"].queryset) == set(sites.values())
    assert "prefecture" in form.fields
    response = client_for(province).get(reverse("demonstrations:choose_track"))
    assert response.status_code == 200
    assert reverse("demonstrations:create", args=["base"]) in response.content.decode()


def test_the_api_takes_a_base_of_the_province_with_its_lead_prefecture(sites, province):
    batch = make_batch(Track.BASE)
    body = {
        "track": "base",
        "batch": batch.pk,
        "name": "湘江流域示范基地",
        "prefecture": "430600",
        "sites": [sites["changsha"].pk, sites["yueyang"].pk],
        "rules_system": "制度",
        "organisation": "机构",
        "measures": "措施",
        "contact_person": "王五",
        "contact_phone": "0731-88880000",
    }
    response = client_for(province).post(
        reverse("api:application-list"), body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["prefecture"] == "430600"
    assert sorted(response.json()["concerned_prefectures"]) == ["430100", "430600"]
    assert state_of(DemonstrationApplication.objects.get(pk=response.json()["id"])) == "draft"
