"""The demo users and their enterprise accounts (seed_demo's first steps)."""

from django.conf import settings

from enterprises.demo import demo_enterprise

from .models import EnterpriseClaim, ExpertProfile, Role, User
from .roles import sync_groups
from .services import grant_enterprise_access, register_enterprise_user

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


def seed_users():
    sync_groups()
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
    return f"{len(USERS)} users (password from DEMO_PASSWORD)"


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
