"""The demo directory: ten fictional enterprises, their services, their users' accounts, and
岳阳市's submission."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from tsprotect.accounts.models import EnterpriseClaim, Role, User
from tsprotect.accounts.services import grant_enterprise_access, register_enterprise_user
from tsprotect.core.validators import make_uscc
from tsprotect.regions.models import County, Prefecture

from .models import DirectorySubmission, Enterprise, ServiceEvent
from .services import acknowledge_submission, submit_directory_changes

# Fictional enterprises; the organisation-code part is made up, the check character is real.
# fmt: off
ENTERPRISES = [
    # county, organisation code, name, GB/T 4754 division, size, tags, staff, R&D, departures
    ("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司", "39", "medium", "high_tech", 420, 160, 12),
    ("430104", "MA4L0C3D4", "湖南岳麓山生物医药股份有限公司", "27", "large",
     "industry_leader high_tech", 1800, 350, 25),
    ("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司", "35", "large", "industry_leader",
     5200, 600, 40),
    ("430102", "MA4L0G7H8", "长沙芙蓉老字号食品有限公司", "14", "small",
     "time_honoured_brand sme", 85, 6, 1),
    ("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司", "26", "large", "industry_leader",
     2600, 280, 18),
    ("430611", "MA4M1C4D5", "岳阳巴陵精细化工有限公司", "26", "medium", "sme", 300, 45, 6),
    ("431002", "MA4N2A3B4", "郴州林邑电子科技有限公司", "39", "small", "high_tech sme", 150, 40, 5),
    ("431003", "MA4N2C5D6", "郴州有色金属新材料有限公司", "32", "medium", "", 640, 70, 9),
    ("430211", "MA4P3A4B5", "株洲动力轨道装备有限公司", "37", "large", "industry_leader",
     3900, 520, 30),
    ("430304", "MA4Q4A5B6", "湘潭江南智能制造有限公司", "34", "medium", "high_tech", 560, 110, 8),
]
FTZ_AREAS = {"430104": "changsha", "430121": "changsha", "430603": "yueyang", "431002": "chenzhou"}
SERVICE_EVENTS = [
    # enterprise, kind, days ago, summary
    ("长沙麓谷芯片科技有限公司", "visit", 20, "走访企业研发中心，检查涉密载体管理和门禁记录。"),
    ("长沙麓谷芯片科技有限公司", "non_compete_guidance", 9,
     "指导企业修订核心技术人员竞业限制协议。"),
    ("岳阳洞庭石化新材料有限公司", "training", 14, "为企业中层以上人员开展商业秘密保护培训。"),
]
# fmt: on


def seed_enterprises():
    counties = County.objects.select_related("prefecture").in_bulk([row[0] for row in ENTERPRISES])
    officers = {u.prefecture_id: u for u in User.objects.filter(role=Role.PREFECTURE_OFFICER)}
    today = timezone.localdate()
    enterprises = {}
    for division, code, name, industry, size, tags, staff, rd, departures in ENTERPRISES:
        county = counties[division]
        defaults = {
            "name": name,
            "prefecture_id": county.prefecture_id,
            "county": county,
            "industry_division": industry,
            "size_class": size,
            "staff_count": staff,
            "rd_staff_count": rd,
            "technical_departures_per_year": departures,
            "ftz_area_id": FTZ_AREAS.get(division),
            "holds_technical_information": True,
            "holds_business_information": size != "small",
            "address": f"{county.prefecture.name}{county.name}",
            "contact_person": "王女士",
            "contact_phone": "0731-88880000",
            "last_confirmed_on": today - dt.timedelta(days=30),
            "created_by": officers.get(county.prefecture_id),
            **{f"is_{tag}": tag in tags.split() for tag in Enterprise.TAGS},
        }
        enterprises[name], created = Enterprise.objects.update_or_create(
            uscc=make_uscc(division, code), defaults=defaults
        )
        if created:
            # Filed over the past year and more, so the periodic reports have a history.
            filed = timezone.now() - dt.timedelta(days=60 + 45 * len(enterprises))
            Enterprise.objects.filter(pk=enterprises[name].pk).update(created_at=filed)
    for name, kind, days_ago, summary in SERVICE_EVENTS:
        enterprise = enterprises[name]
        ServiceEvent.objects.get_or_create(
            enterprise=enterprise,
            kind=kind,
            summary=summary,
            defaults={
                "happened_on": today - dt.timedelta(days=days_ago),
                "recorded_by": officers.get(enterprise.prefecture_id),
            },
        )
    return f"{len(enterprises)} enterprises"


def demo_enterprise(name):
    """One of the ten, by name (a synthetic enterprise of seed_scale may bear the same name)."""
    division, code = next((row[0], row[1]) for row in ENTERPRISES if row[2] == name)
    return Enterprise.objects.get(uscc=make_uscc(division, code))


def seed_submissions():
    """岳阳市 has sent its directory up and the province has acknowledged it."""
    yueyang = Prefecture.objects.get(pk="430600")
    if DirectorySubmission.objects.filter(prefecture=yueyang).exists():
        return
    submission = submit_directory_changes(
        yueyang, user=User.objects.get(username="officer_430600"), note="岳阳市名录库首次报送。"
    )
    acknowledge_submission(
        submission,
        user=User.objects.get(username="province"),
        note="已收悉，请继续做好名录动态更新。",
    )


def seed_claims():
    """enterprise1 manages its enterprise's users; a colleague of another enterprise has
    registered and waits for the 长沙 officer's verification."""
    chip = demo_enterprise("长沙麓谷芯片科技有限公司")
    grant_enterprise_access(User.objects.get(username="enterprise1"), chip)
    EnterpriseClaim.objects.get_or_create(
        user=User.objects.get(username="enterprise1"),
        enterprise=chip,
        defaults={
            "uscc": chip.uscc,
            "enterprise_name": chip.name,
            "contact_person": "周经理",
            "phone": "13807310001",
            "prefecture_id": chip.prefecture_id,
            "county_id": chip.county_id,
            "status": EnterpriseClaim.Status.VERIFIED,
            "is_manager": True,
        },
    )
    pharma = demo_enterprise("湖南岳麓山生物医药股份有限公司")
    applicant, created = User.objects.get_or_create(username="yuelushan_legal")
    if created:
        applicant.set_password(settings.DEMO_PASSWORD)
        applicant.save()
        register_enterprise_user(
            user=applicant,
            uscc=pharma.uscc,
            enterprise_name=pharma.name,
            contact_person="陈律师",
            phone="13907312345",
        )
