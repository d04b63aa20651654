"""Demo users and data so that `make run` shows a living portal. Safe to run again."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments import demo as assessments_demo
from assessments import survey_demo
from complaints import demo as complaints_demo
from demonstrations import demo as demonstrations_demo
from enterprises.models import DirectorySubmission, Enterprise, ServiceEvent
from enterprises.services import acknowledge_submission, submit_directory_changes
from tsprotect.accounts.models import EnterpriseClaim, ExpertProfile, Role, User
from tsprotect.accounts.roles import sync_groups
from tsprotect.accounts.services import grant_enterprise_access, register_enterprise_user
from tsprotect.core.validators import make_uscc
from tsprotect.publicity import demo as notices_demo
from tsprotect.regions.models import County, Prefecture
from tsprotect.reports import demo as reports_demo
from tsprotect.trainings import demo as trainings_demo

USERS = [
    # username, display name, role, prefecture, county
    ("province", "省局价监竞争局 王科长", Role.PROVINCE, None, None),
    ("officer_430100", "长沙市市场监管局 李干部", Role.PREFECTURE_OFFICER, "430100", None),
    ("officer_430600", "岳阳市市场监管局 张干部", Role.PREFECTURE_OFFICER, "430600", None),
    ("officer_431000", "郴州市市场监管局 刘干部", Role.PREFECTURE_OFFICER, "431000", None),
    ("officer_430104", "岳麓区市场监管局 陈干部", Role.COUNTY_OFFICER, "430100", "430104"),
    ("expert1", "赵教授", Role.EXPERT, None, None),
    ("enterprise1", "长沙麓谷芯片科技 周经理", Role.ENTERPRISE, None, None),
]

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


class Command(BaseCommand):
    help = "Create the demo users and demo data (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password; it runs only with DEBUG on."
            )
        with transaction.atomic():
            sync_groups()
            self.seed_users()
            enterprises = self.seed_enterprises()
            grant_enterprise_access(
                User.objects.get(username="enterprise1"), enterprises["长沙麓谷芯片科技有限公司"]
            )
            self.seed_claims(enterprises)
            self.seed_submissions()
            applications = demonstrations_demo.seed()
            complaints = complaints_demo.seed()
            checklists = assessments_demo.seed()
            survey_demo.seed()
            notices_demo.seed()
            trainings_demo.seed()
            reports = reports_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(USERS)} users (password from DEMO_PASSWORD), "
                f"{len(enterprises)} enterprises, "
                f"{applications or 'existing'} demonstration applications, "
                f"{complaints or 'existing'} complaints, "
                f"{checklists or 'existing'} checklists, "
                f"{reports or 'existing'} periodic reports."
            )
        )

    def seed_claims(self, enterprises):
        """enterprise1 manages its enterprise's users; a colleague of another enterprise has
        registered and waits for the 长沙 officer's verification."""
        chip = enterprises["长沙麓谷芯片科技有限公司"]
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
        pharma = enterprises["湖南岳麓山生物医药股份有限公司"]
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

    def seed_users(self):
        for username, display_name, role, prefecture, county in USERS:
            user, _created = User.objects.get_or_create(username=username)
            user.display_name = display_name
            user.role = role
            user.prefecture_id = prefecture
            user.county_id = county
            user.is_staff = role == Role.PROVINCE
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        ExpertProfile.objects.update_or_create(
            user=User.objects.get(username="expert1"),
            defaults={
                "employer": "中南大学法学院",
                "fields": ["law", "computing"],
                "title": "教授",
                "prefecture_id": "430100",
            },
        )

    def seed_enterprises(self):
        counties = County.objects.select_related("prefecture").in_bulk(
            [row[0] for row in ENTERPRISES]
        )
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
        return enterprises

    def seed_submissions(self):
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
