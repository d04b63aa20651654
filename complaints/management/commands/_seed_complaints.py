"""Synthetic complaints and reports for ``seed_scale --complaints N`` (PostgreSQL only).

Each row walks the lifecycle of ``workflow.TRANSITIONS`` with the milestones the steps of
``services`` would write (``apply``), received over the last two years and stopped where the
present is (or, for a few percent, stuck earlier: the old open, overdue ones). Its statutory
clocks, ``next_deadline``, ``next_limit``, ``accept_deadline`` and ``paused`` are computed as
``services.refresh_clocks`` computes them — same limits, same ``clocks.due``, only cached per
limit and start day — so refreshing a seeded row changes nothing. Reference numbers follow
``workflow.reference_number`` per prefecture and year of receipt, after the numbers already
given, and the ``ReferenceCounter`` rows end at the last one used, so the next real intake
continues the sequence. Rows are loaded with COPY; synthetic rows are those registered by the
``seed_scale`` user, and ``delete_synthetic`` removes exactly them and their children.

The module's name starts with ``_``: Django does not take it for a command.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models.functions import Mod
from django.utils import timezone

from complaints import clocks
from complaints.models import (
    Complaint,
    ComplaintClock,
    CreditPush,
    ReferenceCounter,
    StatutoryLimit,
)
from complaints.services import END_EVENTS, FIRST_DECISION, PENALTY_PROVISION, START_EVENTS
from complaints.workflow import (
    CRIMINAL_LOSS_THRESHOLD,
    Channel,
    Conduct,
    FeedbackMethod,
    Kind,
    PoliceDecision,
    Remedy,
    SecretKind,
    State,
    TransferState,
    reference_number,
)
from enterprises.models import Enterprise
from tsprotect.legal.models import Provision
from tsprotect.regions.models import County, Prefecture

DAYS = 730  # received over the last two years
# 长沙市 receives more than its share of the directory: the high-tech zones are there.
SHARES = {
    "430100": 0.36,
    "430200": 0.08,
    "430300": 0.06,
    "430400": 0.07,
    "430500": 0.04,
    "430600": 0.07,
    "430700": 0.06,
    "430800": 0.015,
    "430900": 0.04,
    "431000": 0.05,
    "431100": 0.04,
    "431200": 0.04,
    "431300": 0.045,
    "433100": 0.02,
}
CHANNELS = {
    Channel.HOTLINE_12315: 30,
    Channel.HOTLINE_12345: 14,
    Channel.ONLINE: 20,
    Channel.LIAISON: 10,
    Channel.PARK: 8,
    Channel.OPINION: 3,
    Channel.REFERRAL: 7,
    Channel.WALK_IN: 8,
}
# How a complaint ends once accepted (a refusal is drawn before).
ROUTES = {
    "guide": 22,
    "mediate": 24,
    "not_substantiated": 18,
    "case": 28,
    "case_transfer": 4,
    "transfer": 4,
}
OUTCOMES = {
    "guide": State.GUIDED,
    "mediate": State.MEDIATED,
    "not_substantiated": State.NOT_SUBSTANTIATED,
}
REFUSED = 0.15
STUCK = 0.03  # open long past its due dates: the overdue ones
PENALTY = 0.4  # of the decided cases
POLICE_FILED = 0.7  # of the transfers the police answered
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉力斌波宁海鹏"
POSITIONS = ["研发工程师", "销售经理", "技术总监", "工艺主管", "采购专员", "软件工程师"]
SECRETS = {
    SecretKind.TECHNICAL: 40,
    SecretKind.CUSTOMER: 25,
    SecretKind.FORMULA: 10,
    SecretKind.PROCESS: 15,
    SecretKind.OTHER_BUSINESS: 10,
}
WHAT = {
    SecretKind.TECHNICAL: "设计图纸和技术资料",
    SecretKind.CUSTOMER: "客户名单和报价",
    SecretKind.FORMULA: "产品配方",
    SecretKind.PROCESS: "生产工艺参数",
    SecretKind.OTHER_BUSINESS: "经营计划和供应商价格",
}
COMPLAINT_COLUMNS = [
    "id",
    "kind",
    "reference",
    "channel",
    "state",
    "prefecture_id",
    "county_id",
    "received_on",
    "registered_at",
    "registered_by_id",
    "complainant_enterprise_id",
    "complainant_name",
    "complainant_contact",
    "anonymous",
    "respondent_enterprise_id",
    "respondent_name",
    "respondent_individuals",
    "secret_kind",
    "conduct",
    "estimated_loss",
    "description",
    "accept_decided_at",
    "filing_decided_at",
    "case_number",
    "case_filed_on",
    "transfer_unit",
    "transfer_proposed_at",
    "transfer_approved_at",
    "transfer_approved_by",
    "transfer_sent_at",
    "transfer_state",
    "police_decision",
    "police_decided_on",
    "police_document_number",
    "remedy",
    "case_decided_on",
    "penalty",
    "decision_number",
    "fine",
    "case_concluded_at",
    "penalty_published_at",
    "outcome_at",
    "reporter_notified_at",
    "feedback_at",
    "feedback_method",
    "feedback",
    "closed_at",
    "next_deadline",
    "next_limit_id",
    "accept_deadline",
    "paused",
    "updated_at",
]
MILESTONES = {
    "accept_decided_at": None,
    "filing_decided_at": None,
    "case_number": "",
    "case_filed_on": None,
    "transfer_unit": "",
    "transfer_proposed_at": None,
    "transfer_approved_at": None,
    "transfer_approved_by": "",
    "transfer_sent_at": None,
    "transfer_state": "",
    "police_decision": "",
    "police_decided_on": None,
    "police_document_number": "",
    # Not generated (a reconsideration is rare): read by the clocks, left to their defaults.
    "reconsideration_requested_on": None,
    "reconsideration_decided_on": None,
    "remedy": "",
    "case_decided_on": None,
    "penalty": False,
    "decision_number": "",
    "fine": None,
    "case_concluded_at": None,
    "penalty_published_at": None,
    "outcome_at": None,
    "reporter_notified_at": None,
    "feedback_at": None,
    "feedback_method": "",
    "feedback": "",
    "closed_at": None,
}
CLOCK_COLUMNS = ["complaint_id", "limit_id", "started_at", "due_on", "due_at", "met_at"]
PUSH_COLUMNS = [
    "complaint_id",
    "respondent_name",
    "respondent_credit_code",
    "decision_number",
    "decided_on",
    "facts",
    "provision_id",
    "basis",
    "fine",
    "content",
    "authority",
    "created_at",
    "published_on",
]
ROWS_PER_COPY = 20_000


class Row(dict):
    """A complaint as a dict, readable by ``START_EVENTS`` and ``END_EVENTS`` like a model."""

    __getattr__ = dict.get


def cell(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return text


def columns_with_defaults(model, generated):
    """The generated columns, then every other writable column with its model default."""
    defaults = {}
    for field in model._meta.concrete_fields:
        column = field.column
        if column in generated or field.primary_key or getattr(field, "generated", False):
            continue
        if field.has_default():
            defaults[column] = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            defaults[column] = None
        elif field.blank and field.empty_strings_allowed:
            defaults[column] = ""  # what the ORM stores for a blank text field
        else:
            raise CommandError(f"{model.__name__}.{field.name} has no default; seed it.")
    return list(generated) + list(defaults), [cell(v) for v in defaults.values()]


def copy_rows(cursor, model, generated, rows):
    """COPY ``rows`` (lists of values in ``generated`` order) into the model's table."""
    columns, tail = columns_with_defaults(model, generated)
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    for start in range(0, len(rows), ROWS_PER_COPY):
        text = "".join(
            "\t".join([cell(v) for v in row] + tail) + "\n"
            for row in rows[start : start + ROWS_PER_COPY]
        )
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(statement, io.BytesIO(text.encode()), size=1 << 16)


class Weighted:
    def __init__(self, weights: dict):
        self.items = list(weights)
        self.weights = list(weights.values())

    def pick(self, rng):
        return rng.choices(self.items, self.weights)[0]


class ComplaintGenerator:
    def __init__(self, seed: int, user_id: int, today=None):
        self.rng = random.Random(f"{seed}:complaints")  # noqa: S311 - synthetic data
        self.user_id = user_id
        self.now = timezone.now()
        self.today = today or timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.prefecture_names = dict(Prefecture.objects.values_list("code", "name"))
        self.prefectures = Weighted({c: s for c, s in SHARES.items() if c in self.prefecture_names})
        self.counties = {}
        for code, prefecture in County.objects.values_list("code", "prefecture_id"):
            self.counties.setdefault(prefecture, []).append(code)
        self.channels = Weighted(CHANNELS)
        self.routes = Weighted(ROUTES)
        self.secrets = Weighted(SECRETS)
        self.limits = list(StatutoryLimit.objects.filter(active=True).order_by("pk"))
        self._due = {}

    def load_pool(self, seed_user_id, size=100_000):
        """Directory enterprises to complain (and be complained about), per prefecture: an
        evenly spread sample of the synthetic directory."""
        synthetic = Enterprise.objects.filter(created_by_id=seed_user_id, status="active")
        total = synthetic.count()
        if not total:
            raise CommandError(
                "Synthetic complaints are filed by synthetic enterprises: load the directory "
                "first (seed_scale --enterprises N)."
            )
        step = max(1, total // size)
        rows = (
            synthetic.annotate(slot=Mod("id", step))
            .filter(slot=0)
            .values_list("id", "prefecture_id", "county_id", "name", "uscc")
        )
        self.pool = {}
        for row in rows:
            self.pool.setdefault(row[1], []).append(row)
        everyone = [row for rows in self.pool.values() for row in rows]
        for code in self.prefecture_names:
            self.pool.setdefault(code, everyone)

    # -- time --------------------------------------------------------------------------------

    def office_moment(self, day: dt.date):
        minutes = 8 * 60 + 30 + int(self.rng.random() * 9 * 60)
        naive = dt.datetime.combine(
            day, dt.time(minutes // 60, minutes % 60, self.rng.randrange(60))
        )
        return timezone.make_aware(naive, self.tz)

    def after(self, moment, low: float, high: float):
        """A moment during office hours ``low``–``high`` days after ``moment``."""
        day = timezone.localdate(moment, self.tz) + dt.timedelta(
            days=int(self.rng.uniform(low, high))
        )
        candidate = self.office_moment(day)
        if candidate <= moment:
            candidate = moment + dt.timedelta(minutes=10 + int(self.rng.random() * 110))
        return candidate

    def person(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def phone(self):
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    # -- one complaint ------------------------------------------------------------------------

    def complaint(self):
        rng = self.rng
        kind = Kind.COMPLAINT if rng.random() < 0.8 else Kind.REPORT
        prefecture = self.prefectures.pick(rng)
        pool = self.pool[prefecture]
        received_on = self.today - dt.timedelta(days=int(rng.random() * DAYS))
        registered_at = self.office_moment(received_on)
        if registered_at > self.now:
            registered_at = self.now - dt.timedelta(minutes=rng.randrange(1, 60))
        row = Row(kind=kind, prefecture_id=prefecture, received_on=received_on, **MILESTONES)
        row.update(registered_at=registered_at, registered_by_id=self.user_id)
        complainant = None
        anonymous = False
        if kind == Kind.COMPLAINT:
            if rng.random() < 0.85:
                complainant = rng.choice(pool)
            channel = Channel.ONLINE if complainant and rng.random() < 0.3 else None
        else:
            anonymous = rng.random() < 0.4
            if not anonymous and rng.random() < 0.1:
                complainant = rng.choice(pool)
            channel = None
        row["channel"] = channel or self.channels.pick(rng)
        if complainant:
            row["complainant_enterprise_id"] = complainant[0]
            row["county_id"] = complainant[2]
            row["prefecture_id"] = prefecture = complainant[1]
            row["complainant_name"] = ""
        else:
            row["complainant_enterprise_id"] = None
            row["county_id"] = rng.choice(self.counties[prefecture]) if rng.random() < 0.7 else None
            row["complainant_name"] = "" if anonymous else self.person()
        row["complainant_contact"] = "" if anonymous else self.phone()
        row["anonymous"] = anonymous
        secret = self.secrets.pick(rng)
        respondent = rng.choice(pool) if rng.random() < 0.35 else None
        row["respondent_enterprise_id"] = respondent[0] if respondent else None
        row["respondent_name"] = "" if respondent else rng.choice(pool)[3]
        individual = self.person()
        row["respondent_individuals"] = (
            f"{individual}，原{rng.choice(POSITIONS)}" if rng.random() < 0.6 else ""
        )
        row["secret_kind"] = secret
        row["conduct"] = json.dumps(
            sorted(rng.sample(Conduct.values, rng.choice((1, 1, 2, 3)))), ensure_ascii=False
        )
        roll = rng.random()
        if roll < 0.04:
            row["estimated_loss"] = Decimal(rng.randrange(300_000, 20_000_000, 1000))
        elif roll < 0.45:
            row["estimated_loss"] = Decimal(rng.randrange(5_000, 300_000, 500))
        else:
            row["estimated_loss"] = None
        row["description"] = (
            f"反映{individual}离职后涉嫌{'披露和使用' if rng.random() < 0.5 else '获取'}"
            f"本单位{WHAT[secret]}。"
        )
        self.lifecycle(row, respondent)
        row["updated_at"] = max(
            [registered_at] + [v for v in row.values() if isinstance(v, dt.datetime)]
        )
        return row

    def lifecycle(self, row, respondent):
        """The steps of ``workflow.TRANSITIONS`` with the effects of ``services.EFFECTS``."""
        rng = self.rng
        steps = []
        at = row["registered_at"]
        late = rng.random() < 0.08
        at = self.after(at, 8, 20) if late else self.after(at, 0, 8)
        if rng.random() < REFUSED:
            steps.append(("refuse", State.NOT_ACCEPTED, at))
        else:
            steps.append(("accept", State.ACCEPTED, at))
            route = self.routes.pick(rng)
            if route in ("guide", "mediate", "not_substantiated"):
                at = self.after(at, 3, 30)
                steps.append((route, OUTCOMES[route], at))
            if route in ("case", "case_transfer"):
                at = self.after(at, 2, 20)
                steps.append(("file_case", State.CASE_FILED, at))
            if route in ("case_transfer", "transfer"):
                at = self.after(at, 5, 60)
                steps.append(("propose_transfer", State.TRANSFER_PROPOSED, at))
                at = self.after(at, 0, 4)
                steps.append(("approve_transfer", State.TRANSFER_APPROVED, at))
                at = at + dt.timedelta(hours=rng.uniform(1, 30))
                steps.append(("send_transfer", State.TRANSFERRED, at))
                # The police's decision on filing (mostly within its 3 days).
                at = self.after(at, 0.5, 6)
                steps.append(("police_decision", None, at))
            if route == "case":
                at = self.after(at, 20, 110)
                penalty = respondent is not None and rng.random() < PENALTY
                steps.append(("decide_case", State.CASE_DECIDED, at, penalty))
                if penalty:
                    published = self.after(at, 1, 28)
                    steps.append(("publish_penalty", None, published))
        # Feedback on the outcome, then closing (after the penalty's publication, if any).
        feedback = self.after(at, 0, 7)
        steps.append(("feedback", None, feedback))
        last = max(step[2] for step in steps)
        steps.append(("close", State.CLOSED, self.after(last, 0, 4)))
        steps.sort(key=lambda step: step[2])
        taken = sum(1 for step in steps if step[2] <= self.now)
        if rng.random() < STUCK:
            taken = min(taken, rng.randrange(len(steps)))
        row["state"] = State.RECEIVED
        for step in steps[:taken]:
            self.apply(row, step, respondent)
        return row

    def apply(self, c, step, respondent):
        action, target, now = step[:3]
        rng = self.rng
        if action == "accept":
            c["accept_decided_at"] = now
        elif action == "refuse":
            c["accept_decided_at"] = c["filing_decided_at"] = c["outcome_at"] = now
        elif action == "file_case":
            c["case_filed_on"] = timezone.localdate(now, self.tz)
            c["case_number"] = f"立案{now:%Y}{rng.randrange(1, 10**6):06d}"
            c["filing_decided_at"] = now
        elif action == "propose_transfer":
            c["transfer_unit"] = f"{self.prefecture_names[c['prefecture_id']]}公安局经侦支队"
            c["transfer_proposed_at"] = now
            if c["state"] == State.CASE_FILED:
                c["case_concluded_at"] = now
            else:
                c["filing_decided_at"] = now
        elif action == "approve_transfer":
            c["transfer_approved_at"] = now
            c["transfer_approved_by"] = self.person()
        elif action == "send_transfer":
            c["transfer_sent_at"] = c["outcome_at"] = now
            c["transfer_state"] = TransferState.SENT
        elif action == "police_decision":
            filed = rng.random() < POLICE_FILED
            c["police_decision"] = PoliceDecision.FILED if filed else PoliceDecision.REFUSED
            c["transfer_state"] = TransferState.FILED if filed else TransferState.REFUSED
            c["police_decided_on"] = timezone.localdate(now, self.tz)
            c["police_document_number"] = (
                f"{self.prefecture_names[c['prefecture_id']][:2]}公经"
                f"{'立' if filed else '不立'}字〔{now:%Y}〕{rng.randrange(1, 999)}号"
            )
        elif action in ("guide", "mediate", "not_substantiated"):
            if action == "guide":
                c["remedy"] = rng.choice(Remedy.values)
            c["filing_decided_at"] = c["outcome_at"] = now
        elif action == "decide_case":
            c["case_decided_on"] = timezone.localdate(now, self.tz)
            c["case_concluded_at"] = c["outcome_at"] = now
            c["penalty"] = step[3]
            if step[3]:
                c["decision_number"] = (
                    f"{self.prefecture_names[c['prefecture_id']][:2]}市监罚"
                    f"〔{now:%Y}〕{rng.randrange(1, 999)}号"
                )
                c["fine"] = Decimal(rng.randrange(10_000, 3_000_000, 1000))
                c["_push"] = (respondent[3], respondent[4])
        elif action == "publish_penalty":
            c["penalty_published_at"] = now
        elif action == "feedback":
            real_name = not c["anonymous"] and bool(
                c["complainant_name"] or c["complainant_enterprise_id"]
            )
            c["feedback_method"] = (
                rng.choice(["phone", "portal", "letter", "sms", "in_person"])
                if real_name
                else FeedbackMethod.IMPOSSIBLE
            )
            c["feedback"] = "已将处理结果告知投诉人。" if real_name else "匿名举报，无法反馈。"
            c["feedback_at"] = now
            if c["filing_decided_at"] and not c["reporter_notified_at"]:
                c["reporter_notified_at"] = now
        elif action == "close":
            c["closed_at"] = now
        if target is not None:
            c["state"] = target

    # -- the clocks, as refresh_clocks computes them --------------------------------------------

    def due(self, limit, start):
        key = (limit.pk, start)
        if key not in self._due:
            self._due[key] = clocks.due(limit, start)
        return self._due[key]

    def clocks(self, c):
        """``services.refresh_clocks`` for a new complaint without pauses or extensions."""
        real_name = not c["anonymous"] and bool(
            c["complainant_name"] or c["complainant_enterprise_id"]
        )
        rows, running = [], []
        c["accept_deadline"] = None
        for limit in self.limits:
            if limit.applies_to not in (c["kind"], "any"):
                continue
            if limit.real_name_only and not real_name:
                continue
            start = START_EVENTS[limit.starts_at](c)
            if start is None:
                continue
            if isinstance(start, dt.datetime):
                started_at = start
                day = timezone.localdate(start)
            else:
                started_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
                day = start
            if limit.unit == StatutoryLimit.Unit.HOURS:
                due_at = clocks.due(limit, started_at)
                due_on = timezone.localdate(due_at)
            else:
                due_at, due_on = None, self.due(limit, day)
            met_at = c[END_EVENTS[limit.ends_at]]
            if met_at is not None and not isinstance(met_at, dt.datetime):
                met_at = timezone.make_aware(dt.datetime.combine(met_at, dt.time.min))
            rows.append([c["id"], limit.pk, started_at, due_on, due_at, met_at])
            if limit.ends_at == FIRST_DECISION[c["kind"]]:
                c["accept_deadline"] = due_on
            if met_at is None:
                running.append((due_on, len(rows), limit.pk))
        dated = [r for r in running if r[0] is not None]
        first = min(dated, default=None)
        closed = c["state"] == State.CLOSED
        c["next_deadline"] = None if closed or first is None else first[0]
        c["next_limit_id"] = None if closed or first is None else first[2]
        c["paused"] = not closed and any(r[0] is None for r in running)
        return rows


def delete_synthetic(user) -> int:
    """Delete the complaints registered by ``user`` and everything hanging from them, children
    of children first (one statement per table: the ORM would load every row)."""
    synthetic = f"SELECT id FROM {Complaint._meta.db_table} WHERE registered_by_id = %s"  # noqa: S608
    count = Complaint.objects.filter(registered_by=user).count()
    if not count:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for relation in Complaint._meta.related_objects:
            child = relation.related_model
            if relation.many_to_many or child is Complaint:
                continue
            inner = (
                f"SELECT id FROM {child._meta.db_table} "  # noqa: S608 - model tables
                f"WHERE {relation.field.column} IN ({synthetic})"
            )
            for grandchild in child._meta.related_objects:
                if grandchild.many_to_many:
                    continue
                cursor.execute(
                    f"DELETE FROM {grandchild.related_model._meta.db_table} "  # noqa: S608
                    f"WHERE {grandchild.field.column} IN ({inner})",
                    [user.pk],
                )
            for m2m in child._meta.local_many_to_many:
                through = m2m.remote_field.through._meta
                column = m2m.m2m_column_name()
                cursor.execute(
                    f"DELETE FROM {through.db_table} WHERE {column} IN ({inner})",  # noqa: S608
                    [user.pk],
                )
            cursor.execute(
                f"DELETE FROM {child._meta.db_table} "  # noqa: S608
                f"WHERE {relation.field.column} IN ({synthetic})",
                [user.pk],
            )
        # Object permissions (experts consulted) name the complaint by its id as text.
        cursor.execute(
            "DELETE FROM guardian_userobjectpermission WHERE content_type_id = %s "  # noqa: S608
            f"AND object_pk IN (SELECT id::text FROM ({synthetic}) AS s)",
            [_content_type_id(), user.pk],
        )
        cursor.execute(
            f"DELETE FROM {Complaint._meta.db_table} WHERE registered_by_id = %s",  # noqa: S608
            [user.pk],
        )
    return count


def _content_type_id():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Complaint).pk


def seed(count: int, *, user, seed: int, stdout) -> dict:
    """Load ``count`` synthetic complaints; returns the figures for the report."""
    started = time.perf_counter()
    generator = ComplaintGenerator(seed, user.pk)
    generator.load_pool(user.pk)
    rows = [generator.complaint() for _ in range(count)]
    # Numbered in the order they were registered, after the numbers already given.
    rows.sort(key=lambda row: row["registered_at"])
    counters = {
        (prefecture, year): last
        for prefecture, year, last in ReferenceCounter.objects.values_list(
            "prefecture_id", "year", "last"
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Complaint._meta.db_table, count],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    clock_rows, pushes = [], []
    # The penalty provision of each version of the law, to cite the one in force on each day.
    versions = list(
        Provision.objects.filter(law="aucl", key=PENALTY_PROVISION).order_by("in_force_from")
    )

    def provision_on(day):
        return next(
            (
                p
                for p in reversed(versions)
                if p.in_force_from <= day and (p.in_force_until is None or day <= p.in_force_until)
            ),
            None,
        )

    for pk, row in zip(ids, rows, strict=True):
        key = (row["prefecture_id"], row["received_on"].year)
        counters[key] = counters.get(key, 0) + 1
        row["id"] = pk
        row["reference"] = reference_number(*key, counters[key])
        clock_rows.extend(generator.clocks(row))
        if row.get("_push") and row["case_decided_on"]:
            name, uscc = row["_push"]
            published = row["penalty_published_at"]
            provision = provision_on(row["case_decided_on"])
            pushes.append(
                [
                    pk,
                    name,
                    uscc,
                    row["decision_number"],
                    row["case_decided_on"],
                    "当事人以不正当手段获取并使用权利人的商业秘密。",
                    provision.pk if provision else None,
                    provision.citation if provision else "",
                    row["fine"],
                    "责令停止违法行为，处以罚款。",
                    f"{generator.prefecture_names[row['prefecture_id']]}市场监督管理局",
                    row["case_concluded_at"],
                    timezone.localdate(published) if published else None,
                ]
            )
    generated = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        copy_rows(
            cursor, Complaint, COMPLAINT_COLUMNS, [[r[c] for c in COMPLAINT_COLUMNS] for r in rows]
        )
        copy_rows(cursor, ComplaintClock, CLOCK_COLUMNS, clock_rows)
        copy_rows(cursor, CreditPush, PUSH_COLUMNS, pushes)
        for (prefecture, year), last in counters.items():
            cursor.execute(
                f"INSERT INTO {ReferenceCounter._meta.db_table} (prefecture_id, year, last) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (prefecture_id, year) "
                "DO UPDATE SET last = GREATEST(EXCLUDED.last, "
                f"{ReferenceCounter._meta.db_table}.last)",
                [prefecture, year, last],
            )
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Complaint, ComplaintClock, CreditPush, ReferenceCounter):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    finished = time.perf_counter()
    open_rows = [r for r in rows if r["state"] != State.CLOSED]
    figures = {
        "complaints": count,
        "open": len(open_rows),
        "overdue": sum(
            1 for r in open_rows if r["next_deadline"] and r["next_deadline"] < generator.today
        ),
        "changsha": sum(1 for r in rows if r["prefecture_id"] == "430100"),
        "reports": sum(1 for r in rows if r["kind"] == Kind.REPORT),
        "candidates": sum(1 for r in rows if (r["estimated_loss"] or 0) >= CRIMINAL_LOSS_THRESHOLD),
        "clocks": len(clock_rows),
        "pushes": len(pushes),
    }
    stdout.write(
        f"Loaded {count:,} synthetic complaints in {finished - started:.1f} s (generated "
        f"{generated - started:.1f} s, COPY {loaded - generated:.1f} s, ANALYZE "
        f"{finished - loaded:.1f} s): {figures['open']:,} open, {figures['overdue']:,} overdue, "
        f"{figures['changsha']:,} in 长沙市, {figures['reports']:,} reports, "
        f"{figures['candidates']:,} with losses ≥ 300,000; {figures['clocks']:,} clocks, "
        f"{figures['pushes']:,} credit platform pushes."
    )
    return figures
