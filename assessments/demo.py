"""Demo checklists for ``seed_demo``: confirmed ones in each tier, one awaiting confirmation and
enterprise1's half-filled draft. Goes through ``services``; runs once."""

from enterprises.models import Enterprise
from tsprotect.accounts.models import User

from . import services
from .models import ChecklistSubmission

# enterprise, who fills in, answer for item i (cycled), whether to submit, whether to confirm
PLANS = [
    ("湖南岳麓山生物医药股份有限公司", "officer_430100", ["yes"] * 9 + ["partly"], True, True),
    ("岳阳洞庭石化新材料有限公司", "officer_430600", ["yes", "yes", "partly", "na"], True, True),
    ("郴州林邑电子科技有限公司", "officer_431000", ["no", "partly", "yes", "no"], True, True),
    ("长沙星沙重工机械有限公司", "officer_430100", ["partly", "no", "yes"], True, False),
]


def seed():
    if ChecklistSubmission.objects.exists() or services.current_template() is None:
        return 0
    users = {u.username: u for u in User.objects.filter(username__startswith="officer_")}
    users["enterprise1"] = User.objects.get(username="enterprise1")
    enterprises = {e.name: e for e in Enterprise.objects.all()}
    for name, username, pattern, submit, confirm in PLANS:
        _fill(enterprises[name], users[username], pattern, submit, confirm)
    # enterprise1 has answered the first half of its own checklist and will come back to it.
    submission = services.start(enterprises["长沙麓谷芯片科技有限公司"], users["enterprise1"])
    items = list(submission.template.items.all())
    half = {item.pk: ("yes", "", None) for item in items[: len(items) // 2]}
    services.save_answers(submission, users["enterprise1"], half)
    return ChecklistSubmission.objects.count()


def _fill(enterprise, user, pattern, submit, confirm):
    submission = services.start(enterprise, user)
    items = list(submission.template.items.all())
    answers = {item.pk: (pattern[i % len(pattern)], "", None) for i, item in enumerate(items)}
    services.save_answers(submission, user, answers)
    if submit:
        services.submit(submission, user)
    if confirm:
        services.confirm(submission, user, "已核实。")
