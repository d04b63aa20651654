"""Demo trainings for ``seed_demo``: upcoming events of 长沙 and 岳阳, one with sign-ups."""

import datetime as dt

from django.utils import timezone

from tsprotect.accounts.models import User

from . import services
from .models import TrainingEvent

EVENTS = [
    # (prefecture, organiser, kind, title, venue, days ahead, places, audience, publish)
    (
        "430100",
        "中国（湖南）自由贸易试验区长沙片区知识产权综合服务分中心",
        TrainingEvent.Kind.TRAINING,
        "企业商业秘密保护实务培训班",
        "长沙市岳麓区麓谷企业广场A座报告厅",
        10,
        80,
        "企业法务、人力资源和研发管理人员",
        True,
    ),
    (
        "430100",
        "长沙市市场监督管理局",
        TrainingEvent.Kind.CONSULTATION,
        "商业秘密保护“开放日”咨询活动",
        "长沙市市场监督管理局一楼服务大厅",
        20,
        30,
        "园区企业",
        True,
    ),
    (
        "430600",
        "中国（湖南）自由贸易试验区岳阳片区知识产权综合服务分中心",
        TrainingEvent.Kind.SEMINAR,
        "石化新材料企业保密管理研讨会",
        "岳阳市城陵矶新港区综合服务中心",
        15,
        40,
        "石化、新材料企业负责人",
        False,
    ),
]


def seed():
    """Create the demo events once; returns how many were created."""
    if TrainingEvent.objects.exists():
        return 0
    # Events start at 09:00 local time, some days from now.
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    creators = {u.prefecture_id: u for u in User.objects.filter(role="prefecture_officer")}
    for prefecture, organiser, kind, title, venue, ahead, places, audience, publish in EVENTS:
        starts = morning + dt.timedelta(days=ahead)
        event = TrainingEvent.objects.create(
            prefecture_id=prefecture,
            organiser=organiser,
            kind=kind,
            title=title,
            venue=venue,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            signup_deadline=starts - dt.timedelta(days=2),
            capacity=places,
            audience=audience,
            description="讲解商业秘密的构成要件、保密制度建设、员工入职离职管理和侵权应对。",
            created_by=creators[prefecture],
        )
        if publish:
            services.transition(event.pk, "publish", by=creators[prefecture])
    first = TrainingEvent.objects.get(title=EVENTS[0][3])
    services.register(
        first.pk,
        name="周经理",
        organisation="长沙麓谷芯片科技有限公司",
        phone="13807310001",
        consent=True,
        user=User.objects.get(username="enterprise1"),
    )
    return len(EVENTS)
