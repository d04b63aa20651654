"""Permission matrix rows of the training events (§17): staff pages and public pages.

The event of the rows is in 长沙市. Its bureau (``same_officer``) and provincial staff manage it
and see its participants; the 岳阳 officer reaches the list of its own events but gets 404 on
this one; county officers, experts and enterprise users manage no events (403 on the list, 404
on an event). The public pages show published events to everyone and drafts to no one. The
sign-up POST is covered in ``test_trainings.py`` (it is rate-limited by address).
"""

from .permission_matrix import Row, everyone, logged_in

MANAGERS = {"same_officer": 200, "other_officer": 200, "province": 200}
# Only the event's bureau and the province reach an event; everyone else gets 404.
IN_SCOPE = logged_in(404, same_officer=200, province=200)


def _event(status="published"):
    from datetime import timedelta

    from django.utils import timezone

    from tsprotect.accounts.models import User
    from tsprotect.trainings.models import TrainingEvent

    start = timezone.now() + timedelta(days=10)
    return TrainingEvent.objects.create(
        title="商业秘密保护实务培训",
        organiser="长沙片区知识产权综合服务分中心",
        prefecture_id="430100",
        venue="长沙市岳麓区麓谷大道 1 号",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        signup_deadline=start - timedelta(days=1),
        capacity=30,
        status=status,
        created_by=User.objects.get(username="officer_430100"),
    )


def changsha_event(objects):
    return {"pk": _event().pk}


def draft_event(objects):
    return {"pk": _event("draft").pk}


ROWS = [
    Row("trainings:list", logged_in(403, **MANAGERS)),
    Row("trainings:create", logged_in(403, **MANAGERS)),
    Row(
        "trainings:participants",
        logged_in(404, same_officer=200, province=200),
        kwargs=changsha_event,
    ),
    Row("trainings:update", logged_in(404, same_officer=200, province=200), kwargs=changsha_event),
    Row(
        "trainings:act",
        logged_in(404, same_officer=302, province=302),
        kwargs=lambda o: {**draft_event(o), "action": "publish"},
        method="post",
    ),
    Row("trainings:act", logged_in(405), kwargs=lambda o: {**draft_event(o), "action": "publish"}),
    Row("trainings:export", IN_SCOPE, kwargs=changsha_event),
    Row("public:trainings", everyone(200)),
    Row("public:training", everyone(200), kwargs=changsha_event),
    Row("public:training", everyone(404), kwargs=draft_event),
]
