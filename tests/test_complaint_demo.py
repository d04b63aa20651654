"""The demo complaints (complaints/demo.py's table of stories): the same queue on every run,
each complaint at its stage, its steps on their days counted back from today."""

import io
import re

from django.core.management import call_command
from django.utils import timezone

from complaints.demo import STORIES, _Seeder
from complaints.models import Complaint

# Reference (the year left out), state, days back to the receipt and to each step. ``None``:
# counted from the calendar (a receipt 11 working days old, the police's due day).
QUEUE = {
    "岳市监商秘1": ("transferred", 70, [70, 65, 40, 39, 39, 38, 35, None, None, None, None]),
    "岳市监商秘2": ("not_substantiated", 60, [60, 57, 30, 28]),
    "岳市监商秘3": ("accepted", 25, [25, 22, 15, 10]),
    "郴市监商秘1": ("mediated", 50, [50, 47, 20, 18]),
    "郴市监商秘2": ("transfer_proposed", 30, [30, 25, 8]),
    "郴市监商秘3": ("not_accepted", 15, [15, 12]),
    "郴市监商秘4": ("received", 2, [2]),
    "长市监商秘1": ("case_decided", 150, [150, 148, 140, 138, 12]),
    "长市监商秘2": ("case_filed", 110, [110, 105, 95, 70, 60, 50, 10]),
    "长市监商秘3": ("closed", 90, [90, 88, 60, 58, 57]),
    "长市监商秘4": ("guided", 40, [40, 37, 30]),
    "长市监商秘5": ("received", None, [None]),
    "长市监商秘6": ("accepted", 12, [12, 10, 8, 5]),
    "长市监商秘7": ("received", 5, [5, 4]),
    "长市监商秘8": ("case_decided", 75, [75, 73, 66, 20, 14]),
}


def test_every_step_of_the_stories_is_one_the_seeder_takes():
    calls = {step.call for _officer, stories in STORIES for s in stories for step in s.steps}
    assert all(callable(getattr(_Seeder, call, None)) for call in calls)


def test_the_demo_queue_is_the_same_on_every_run(regions, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()

    def back(day):
        return (today - day).days

    queue = {}
    for complaint in Complaint.objects.all():
        reference = re.sub(r"〔\d{4}〕(\d+)号", r"\1", complaint.reference)
        steps = [back(timezone.localdate(e.at)) for e in complaint.events.order_by("at", "pk")]
        queue[reference] = (complaint.state, back(complaint.received_on), steps)
    assert queue.keys() == QUEUE.keys()
    for reference, (state, received, steps) in QUEUE.items():
        found = queue[reference]
        assert found[0] == state, reference
        assert received is None or found[1] == received, reference
        assert len(found[2]) == len(steps), reference
        assert all(x is None or x == y for x, y in zip(steps, found[2], strict=True)), reference
    assert queue["长市监商秘5"][1] >= 14  # more than 10 working days
    late = queue["岳市监商秘1"][2][-4:]
    assert late == sorted(late, reverse=True) and late[0] < 35
