"""Demo users and data so that `make run` shows a living portal. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from stdnum.cn import uscc as stdnum_uscc

from enterprises.models import Enterprise
from tsprotect.accounts.models import ExpertProfile, Role, User
from tsprotect.accounts.roles import sync_groups
from tsprotect.accounts.services import grant_enterprise_access

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
ENTERPRISES = [
    ("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司"),
    ("430104", "MA4L0C3D4", "湖南岳麓山生物医药股份有限公司"),
    ("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司"),
    ("430102", "MA4L0G7H8", "长沙芙蓉老字号食品有限公司"),
    ("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司"),
    ("430611", "MA4M1C4D5", "岳阳巴陵精细化工有限公司"),
    ("431002", "MA4N2A3B4", "郴州林邑电子科技有限公司"),
    ("431003", "MA4N2C5D6", "郴州有色金属新材料有限公司"),
    ("430211", "MA4P3A4B5", "株洲动力轨道装备有限公司"),
    ("430304", "MA4Q4A5B6", "湘潭江南智能制造有限公司"),
]


def make_uscc(division: str, organisation: str) -> str:
    body = f"91{division}{organisation}"
    return body + stdnum_uscc.calc_check_digit(body)


class Command(BaseCommand):
    help = "Create the demo users and demo data (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password; it runs only with DEBUG on."
            )
        with transaction.atomic():
            sync_groups()
            enterprises = self.seed_enterprises()
            self.seed_users(enterprises)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(USERS)} users (password from DEMO_PASSWORD), "
                f"{len(enterprises)} enterprises."
            )
        )

    def seed_enterprises(self):
        from tsprotect.regions.models import County

        counties = County.objects.in_bulk([division for division, _o, _n in ENTERPRISES])
        enterprises = {}
        for division, organisation, name in ENTERPRISES:
            county = counties[division]
            enterprise, _created = Enterprise.objects.update_or_create(
                uscc=make_uscc(division, organisation),
                defaults={"name": name, "prefecture_id": county.prefecture_id, "county": county},
            )
            enterprises[name] = enterprise
        return enterprises

    def seed_users(self, enterprises):
        for username, display_name, role, prefecture, county in USERS:
            user, _created = User.objects.get_or_create(username=username)
            user.display_name = display_name
            user.role = role
            user.prefecture_id = prefecture
            user.county_id = county
            user.is_staff = role == Role.PROVINCE
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        expert = User.objects.get(username="expert1")
        ExpertProfile.objects.update_or_create(
            user=expert,
            defaults={
                "employer": "中南大学法学院",
                "fields": ["law", "computing"],
                "title": "教授",
                "prefecture_id": "430100",
            },
        )
        grant_enterprise_access(
            User.objects.get(username="enterprise1"), enterprises["长沙麓谷芯片科技有限公司"]
        )
