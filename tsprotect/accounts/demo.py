"""The demo users (seed_demo's first step); their enterprise accounts are the directory's step."""

from django.conf import settings

from .models import ExpertProfile, Role, User
from .roles import sync_groups

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
