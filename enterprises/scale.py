"""seed_scale's directory step: a bulk synthetic enterprise directory for benchmarks (PostgreSQL
only). Registered in enterprises/contributions.py; the command is core's.

    manage.py seed_scale --enterprises 1000000 [--prefecture-share 430100=0.3,430600=0.1]
    manage.py seed_scale --enterprises 50000 --reset
    manage.py seed_scale --enterprises 0 --complaints 100000 --reset  # complaints only

Rows are streamed to PostgreSQL with COPY, so a million rows take about a minute and a half on
two CPUs instead of the hours the ORM would need. Synthetic rows are marked by ``created_by`` = the
dedicated inactive user ``seed_scale``; ``--reset`` deletes exactly those rows and nothing else.
Then the complaints' step loads ``--complaints`` (default 100,000) synthetic complaints and
reports with their statutory clocks, registered by the same user
(``complaints/management/commands/_seed_complaints.py``).

The name fragments are drawn from weighted lists so that searches behave like on real data: the
trade word 重工 appears in about 1 name in 20, the brand 红星 in about 1 in 1,000 and
湖南红星 in about 1 in 4,000 (a rare 4-character search). The same ``--seed`` gives the same rows.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import random
import time
import traceback
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from enterprises.models import Enterprise
from tsprotect.core.validators import make_uscc
from tsprotect.regions.models import County, FtzArea, HostOrganisation, Prefecture

# Share of the directory per prefecture; 长沙市 is by far the largest economy of the province.
DEFAULT_SHARES = {
    "430100": 0.29,  # 长沙市
    "430200": 0.07,  # 株洲市
    "430300": 0.05,  # 湘潭市
    "430400": 0.08,  # 衡阳市
    "430500": 0.06,  # 邵阳市
    "430600": 0.07,  # 岳阳市
    "430700": 0.07,  # 常德市
    "430800": 0.02,  # 张家界市
    "430900": 0.05,  # 益阳市
    "431000": 0.06,  # 郴州市
    "431100": 0.05,  # 永州市
    "431200": 0.05,  # 怀化市
    "431300": 0.05,  # 娄底市
    "433100": 0.03,  # 湘西土家族苗族自治州
}
PREFECTURE_WORDS = {
    "430100": "长沙",
    "430200": "株洲",
    "430300": "湘潭",
    "430400": "衡阳",
    "430500": "邵阳",
    "430600": "岳阳",
    "430700": "常德",
    "430800": "张家界",
    "430900": "益阳",
    "431000": "郴州",
    "431100": "永州",
    "431200": "怀化",
    "431300": "娄底",
    "433100": "湘西",
}

# Trade words (行业或经营特点) with their weight in % and plausible GB/T 4754 divisions. 重工
# weighs 5 so that the two-character search 重工 matches about 1 name in 20.
TRADES = [
    ("重工机械", 2.0, ("34", "35")),
    ("重工科技", 1.0, ("35", "34")),
    ("重工装备", 1.0, ("35", "37")),
    ("重工", 1.0, ("35", "34")),
    ("科技", 12.0, ("65", "75", "73", "39")),
    ("电子科技", 4.0, ("39", "38")),
    ("机械制造", 5.0, ("34", "35", "33")),
    ("新材料", 3.5, ("26", "30", "32")),
    ("生物医药", 2.5, ("27", "73")),
    ("食品", 4.0, ("14", "13")),
    ("建材", 2.5, ("30", "51")),
    ("化工", 2.5, ("26",)),
    ("贸易", 8.0, ("51", "52")),
    ("商贸", 4.0, ("51", "52")),
    ("建筑工程", 4.0, ("47", "48", "50")),
    ("信息技术", 4.0, ("65", "64")),
    ("软件", 2.5, ("65",)),
    ("网络科技", 2.5, ("64", "65")),
    ("农业开发", 3.5, ("01", "05")),
    ("智能制造", 2.0, ("34", "40", "38")),
    ("汽车零部件", 1.5, ("36",)),
    ("服饰", 1.5, ("18",)),
    ("物流", 3.0, ("54", "58", "59")),
    ("环保科技", 2.0, ("77", "42")),
    ("电力设备", 1.5, ("38", "44")),
    ("有色金属", 1.5, ("32", "09")),
    ("文化传媒", 3.0, ("86", "88", "72")),
    ("医疗器械", 1.5, ("35", "51")),
    ("矿业", 1.0, ("08", "09", "10")),
    ("茶业", 1.0, ("15", "01")),
    ("轨道交通装备", 0.8, ("37",)),
    ("实业", 4.0, ("41", "72")),
    ("投资管理", 2.0, ("72", "69")),
    ("餐饮管理", 1.7, ("62",)),
]
FORMS = [("有限公司", 70), ("有限责任公司", 12), ("股份有限公司", 15), ("集团有限公司", 3)]

# Brands (字号): a head of common ones (Zipf-weighted) and a long tail of two-character
# combinations. 红星 is kept out of both and drawn separately at its own, rare rate.
BRANDS = (
    "华天 中联 远大 楚天 金霞 湘江 新华 宏达 鑫源 恒盛 振华 博越 兴旺 天宇 金盛 长城 东方 "
    "华夏 联创 力拓 宇航 银河 天马 凯迪 瑞丰 鸿运 汇丰 泰和 嘉禾 永兴 德润 福瑞 锦程 盛世 "
    "同创 鼎盛 众诚 启明 卓越 华信 正邦 海川 山河 青松 绿源 蓝天 星辰 飞龙 金牛 湘源 楚风 "
    "芙蓉 岳麓 洞庭 衡山 韶山 潇湘 麓山 橘洲 梅溪 浏河 汨罗 资江 沅江 澧水 雪峰 南岭 武陵"
).split()
TAIL_CHARS = (
    "华天中远大金湘新宏鑫恒盛振博兴宇东夏联创力航银马凯瑞丰鸿汇泰和嘉永德润福锦程世同鼎众诚"
    "启明卓信正邦海川山河青松绿源蓝辰飞龙牛楚风蓉岳麓洞庭衡韶潇橘梅浏资沅澧雪峰南岭武陵宏伟"
    "安康泽晟昊翔达通隆昌美佳腾跃辉煌英豪锐志凯乐"
)
RED_STAR = "红星"
RED_STAR_RATE = 0.001

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉力斌波宁海鹏飞雪梅兰"
ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "五一大道",
    "芙蓉中路",
    "湘江中路",
    "韶山路",
    "劳动路",
    "东风路",
    "迎宾路",
    "环城路",
    "工业大道",
    "科技路",
    "麓谷大道",
    "金星路",
    "长江路",
    "黄河路",
]
NEEDS = [
    "核心配方和工艺参数保护",
    "客户名单保密",
    "研发人员离职竞业限制",
    "源代码和算法保护",
    "供应商价格信息保密",
    "技术图纸管理",
    "涉密载体管理",
]

# The credit code's organisation part starts with this letter, which no demo record uses, so
# that synthetic codes never collide with real ones; the rest is a row counter. (The benchmark's
# import workbook uses another letter.)
CODE_LETTER = "X"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 characters (no I, O, S, V, Z)

# Columns this command generates; any other (newer) column gets its model default.
GENERATED = [
    "uscc",
    "name",
    "legal_representative",
    "address",
    "prefecture_id",
    "county_id",
    "park_id",
    "ftz_area_id",
    "industry_section",
    "industry_division",
    "size_class",
    "is_industry_leader",
    "is_time_honoured_brand",
    "is_high_tech",
    "is_sme",
    "holds_technical_information",
    "holds_business_information",
    "staff_count",
    "rd_staff_count",
    "technical_departures_per_year",
    "protection_needs",
    "contact_person",
    "contact_phone",
    "liaison_officer",
    "liaison_phone",
    "status",
    "last_confirmed_on",
    "created_at",
    "updated_at",
    "created_by_id",
]
# The indexes that back no constraint (the name GIN indexes, the prefecture, county and other
# btrees): building each once after a large load is cheaper than maintaining all of them row by
# row (1,000,000 rows into an empty table, two CPUs: 105 s keeping them, 85 s dropping them,
# of which 24 s to rebuild). The primary key and the unique credit code stay, so the load is
# still checked.
SECONDARY_INDEXES = """
    SELECT index.relname, pg_get_indexdef(index.oid)
    FROM pg_index AS x JOIN pg_class AS index ON index.oid = x.indexrelid
    WHERE x.indrelid = %s::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)
    ORDER BY index.relname
"""
ROWS_PER_BATCH = 1000


def counter_code(n: int, width: int = 8) -> str:
    digits = []
    for _ in range(width):
        n, digit = divmod(n, 31)
        digits.append(ALPHABET[digit])
    if n:
        raise CommandError("Too many rows for the synthetic credit code counter.")
    return "".join(reversed(digits))


def county_word(name: str) -> str | None:
    """The short form used in company names (芙蓉区 → 芙蓉); none for development zones."""
    for suffix in ("土家族苗族自治县", "苗族自治县", "侗族自治县", "瑶族自治县", "自治县"):
        if name.endswith(suffix):
            return name[: -len(suffix)] if len(name) - len(suffix) >= 2 else None
    if (
        len(name) >= 3
        and name[-1] in "区县市"
        and not any(w in name for w in ("开发", "示范", "管理", "园"))
    ):
        return name[:-1]
    return None


def parse_shares(text: str) -> dict[str, float]:
    """``430100=0.3,岳阳市=0.1``: the named prefectures get those shares, the others keep their
    default proportions within what is left."""
    shares = dict(DEFAULT_SHARES)
    if not text:
        return shares
    by_name = {p.name: p.code for p in Prefecture.objects.all()}
    fixed = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        code = key if key in shares else by_name.get(key)
        if code is None:
            raise CommandError(f"Unknown prefecture in --prefecture-share: {key!r}.")
        try:
            fixed[code] = float(value)
        except ValueError:
            raise CommandError(f"Not a share: {part!r} (expected e.g. 430100=0.3).") from None
        if not 0 <= fixed[code] <= 1:
            raise CommandError(f"A share lies between 0 and 1: {part!r}.")
    left = 1 - sum(fixed.values())
    if left < -1e-9:
        raise CommandError("The shares given in --prefecture-share add up to more than 1.")
    rest = {code: share for code, share in shares.items() if code not in fixed}
    rest_total = sum(rest.values())
    if left > 1e-9 and not rest:
        raise CommandError("The shares given in --prefecture-share add up to less than 1.")
    return {**fixed, **{code: share * left / rest_total for code, share in rest.items()}}


def generate_in_child(produce):
    """A pipe fed by a forked process running ``produce()`` (an iterator of text).

    COPY is then a two-process pipeline: the child formats rows while PostgreSQL ingests the
    previous ones, which with two CPUs loads about 1.6 times faster than one Python process
    alternating between the two. The child never touches the database connection it inherited
    and leaves with os._exit, so the parent's session is not closed under it.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as out:
                for text in produce():
                    out.write(text.encode())
        except BrokenPipeError:
            code = 2  # the parent stopped reading: COPY failed, the parent reports why
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, os.fdopen(read_fd, "rb")


class Weighted:
    """A weighted draw (what ``random.choices`` does, at a fraction of its per-call cost)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.items) - 1

    def pick(self, rng):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


def one_of(rng, items):
    return items[int(rng.random() * len(items))]


TECH_DIVISIONS = frozenset(("27", "34", "35", "38", "39", "40", "64", "65", "73", "75"))


class Generator:
    def __init__(self, seed: int, shares: dict[str, float], user_id: int, code_letter=CODE_LETTER):
        self.seed = seed
        self.code_letter = code_letter
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.user_id = user_id
        counties = list(County.objects.order_by("code"))
        codes = [code for code in sorted(shares) if shares[code] > 0]
        self.prefectures = Weighted(codes, [shares[code] for code in codes])
        self.prefecture_names = dict(Prefecture.objects.values_list("code", "name"))
        self.counties = {}
        for code in codes:
            own = [c for c in counties if c.prefecture_id == code]
            if not own:
                raise CommandError(f"Prefecture {code} has no county; are the divisions loaded?")
            # Urban districts hold most registrations; counties and development zones fewer.
            weights = [3 if c.name.endswith("区") and not c.is_functional_zone else 1 for c in own]
            self.counties[code] = Weighted(own, weights)
        self.county_words = {c.code: county_word(c.name) for c in counties}
        self.parks = {
            h.county_id: h.pk
            for h in HostOrganisation.objects.filter(kind__in=HostOrganisation.PARK_KINDS)
            if h.county_id
        }
        self.ftz = dict(FtzArea.objects.values_list("prefecture_id", "code"))
        self.trades = Weighted([t[0] for t in TRADES], [t[1] for t in TRADES])
        self.trade_divisions = {t[0]: t[2] for t in TRADES}
        self.forms = Weighted([f[0] for f in FORMS], [f[1] for f in FORMS])
        self.brands = Weighted(BRANDS, [1 / (rank + 1) for rank in range(len(BRANDS))])
        self.tail = [a + b for a in TAIL_CHARS for b in TAIL_CHARS if a != b and a + b != RED_STAR]
        self.sections = {
            division: Enterprise.section_of(division) for _t, _w, ds in TRADES for division in ds
        }
        self.now = datetime.now(UTC)
        self.start = datetime(2021, 6, 1, tzinfo=UTC)  # the policy took effect in 2021
        self.span = (self.now - self.start).total_seconds()

    def brand(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < RED_STAR_RATE:
            return RED_STAR
        if roll < 0.4:
            return self.brands.pick(rng)
        return one_of(rng, self.tail)

    def person(self) -> str:
        rng = self.rng
        given = (
            one_of(rng, GIVEN) if rng.random() < 0.3 else one_of(rng, GIVEN) + one_of(rng, GIVEN)
        )
        return one_of(rng, SURNAMES) + given

    def phone(self) -> str:
        rng = self.rng
        return f"1{one_of(rng, '3589')}{int(rng.random() * 10**9):09d}"

    def rows(self, start: int, count: int):
        # Seeded by position, so a chunk is the same whichever process generates it.
        rng = self.rng = random.Random(f"{self.seed}:{start}")  # noqa: S311
        for n in range(start, start + count):
            prefecture = self.prefectures.pick(rng)
            county = self.counties[prefecture].pick(rng)
            roll = rng.random()
            if roll < 0.25:
                region = "湖南"
            elif roll < 0.70:
                region = PREFECTURE_WORDS[prefecture]
            elif roll < 0.90:
                region = self.county_words[county.code] or PREFECTURE_WORDS[prefecture]
            else:
                region = ""
            trade = self.trades.pick(rng)
            name = f"{region}{self.brand()}{trade}{self.forms.pick(rng)}"
            uscc = make_uscc(county.code, f"{self.code_letter}{counter_code(n)}")
            division = one_of(rng, self.trade_divisions[trade])
            staff = None if rng.random() < 0.1 else max(1, int(rng.lognormvariate(3.0, 1.3)))
            if staff is None:
                size = ""
            elif staff >= 1000:
                size = "large"
            elif staff >= 300:
                size = "medium"
            elif staff >= 20:
                size = "small"
            else:
                size = "micro"
            rd = None if staff is None else int(staff * rng.random() * 0.3)
            departures = None if rd is None else int(rd * rng.random() * 0.2)
            tech = division in TECH_DIVISIONS
            created = self.start + timedelta(seconds=rng.random() * self.span)
            updated = created + (self.now - created) * rng.random()
            confirmed = (created + (updated - created) * rng.random()).date()
            # 1 record in 100 was filed without its county (the county officer never sees it).
            county_id = None if rng.random() < 0.01 else county.code
            has_liaison = rng.random() < 0.3
            yield {
                "uscc": uscc,
                "name": name,
                "legal_representative": self.person(),
                "address": f"湖南省{self.prefecture_names[prefecture]}{county.name}"
                f"{one_of(rng, ROADS)}{int(rng.random() * 998) + 1}号",
                "prefecture_id": prefecture,
                "county_id": county_id,
                "park_id": self.parks.get(county_id) if rng.random() < 0.7 else None,
                "ftz_area_id": self.ftz.get(prefecture) if rng.random() < 0.04 else None,
                "industry_section": self.sections[division],
                "industry_division": division,
                "size_class": size,
                "is_industry_leader": rng.random() < 0.02,
                "is_time_honoured_brand": rng.random()
                < (0.05 if trade in ("食品", "茶业") else 0.002),
                "is_high_tech": rng.random() < (0.3 if tech else 0.03),
                "is_sme": size not in ("large", ""),
                "holds_technical_information": rng.random() < (0.7 if tech else 0.3),
                "holds_business_information": rng.random() < 0.7,
                "staff_count": staff,
                "rd_staff_count": rd,
                "technical_departures_per_year": departures,
                "protection_needs": one_of(rng, NEEDS) if rng.random() < 0.1 else "",
                "contact_person": self.person(),
                "contact_phone": self.phone(),
                "liaison_officer": self.person() if has_liaison else "",
                "liaison_phone": self.phone() if has_liaison else "",
                "status": "removed" if rng.random() < 0.03 else "active",
                "last_confirmed_on": confirmed if rng.random() < 0.7 else None,
                "created_at": created,
                "updated_at": updated,
                "created_by_id": self.user_id,
            }


def copy_value(value) -> str:
    # Generated text never holds a tab, newline or backslash, so COPY's text format needs no
    # escaping beyond NULL.
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def arguments(parser):
    parser.add_argument("--enterprises", type=int, default=1_000_000, help="rows to load (0: none)")
    parser.add_argument(
        "--prefecture-share",
        default="",
        help="e.g. 430100=0.3,岳阳市=0.1; other prefectures keep their default proportions",
    )
    parser.add_argument("--chunk-size", type=int, default=250_000, help="rows per COPY")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="maintain the secondary indexes row by row instead of rebuilding them after",
    )


def check(options, user):
    if options["enterprises"] < 0:
        raise CommandError("--enterprises cannot be negative.")
    parse_shares(options["prefecture_share"])
    existing = _existing(options, user)
    if existing and not options["reset"]:
        raise CommandError(
            f"{existing:,} synthetic enterprises (created by {user.username}) already exist; "
            "run again with --reset to replace them."
        )


def _existing(options, user):
    return Enterprise.objects.filter(created_by=user).count() if options["enterprises"] else 0


def reset(command, options, user):
    if existing := _existing(options, user):
        started = time.perf_counter()
        Loader(command).delete_synthetic(user)
        elapsed = time.perf_counter() - started
        command.stdout.write(f"Deleted {existing:,} earlier synthetic rows in {elapsed:.1f} s.")


def load(command, options, user):
    if total := options["enterprises"]:
        generator = Generator(options["seed"], parse_shares(options["prefecture_share"]), user.pk)
        Loader(command).load(generator, total, options["chunk_size"], options["keep_indexes"])


class Loader:
    def __init__(self, command):
        self.stdout, self.style = command.stdout, command.style

    def delete_synthetic(self, user):
        table = connection.ops.quote_name(Enterprise._meta.db_table)
        # One statement: the ORM would load every row to run its cascade in Python. Anything
        # still pointing at a synthetic row stops the delete rather than being deleted with it.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    f"DELETE FROM {table} WHERE created_by_id = %s",  # noqa: S608 - model table
                    [user.pk],
                )
        except IntegrityError as error:
            raise CommandError(
                f"Other rows still refer to synthetic enterprises; remove them first.\n{error}"
            ) from None
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")

    def columns(self):
        """Every writable column: generated values first, then model defaults for the rest."""
        defaults = {}
        for field in Enterprise._meta.concrete_fields:
            column = field.column
            if field.primary_key or column in GENERATED or getattr(field, "generated", False):
                continue
            if field.has_default():
                defaults[column] = field.get_db_prep_save(field.get_default(), connection)
            elif field.null:
                defaults[column] = None
            elif field.blank and field.empty_strings_allowed:
                defaults[column] = ""  # what the ORM stores for a blank text field
            else:
                raise CommandError(
                    f"Enterprise.{field.name} has no default; teach seed_scale to fill it."
                )
        return GENERATED + list(defaults), [copy_value(v) for v in defaults.values()]

    def load(self, generator, total, chunk_size, keep_indexes):
        table = Enterprise._meta.db_table
        columns, default_cells = self.columns()
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        current = Enterprise.objects.count()
        # Rebuilding pays off once the load is at least as large as what is already there.
        rebuild = not keep_indexes and total >= current

        def batches(start, count):
            rows = generator.rows(start, count)
            while batch := list(itertools.islice(rows, ROWS_PER_BATCH)):
                yield "".join(
                    "\t".join([copy_value(values[c]) for c in GENERATED] + default_cells) + "\n"
                    for values in batch
                )

        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: deferred, a million rows
            # would queue their checks until commit, and CREATE INDEX refuses to run with
            # checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            definitions = []
            if rebuild:
                cursor.execute(SECONDARY_INDEXES, [table])
                definitions = cursor.fetchall()
                for index, _definition in definitions:
                    cursor.execute(f'DROP INDEX "{index}"')
            for start in range(0, total, chunk_size):
                count = min(chunk_size, total - start)
                chunk_started = time.perf_counter()
                try:
                    self.copy(cursor, sql, functools.partial(batches, start, count))
                except IntegrityError as error:
                    raise CommandError(
                        f"Nothing was loaded: a generated row was refused.\n{error}"
                    ) from None
                elapsed = time.perf_counter() - chunk_started
                self.stdout.write(
                    f"  rows {start + 1:>9,}–{start + count:>9,}: {elapsed:6.1f} s "
                    f"({count / elapsed:,.0f} rows/s)"
                )
            loaded = time.perf_counter()
            if definitions:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for index, definition in definitions:
                    index_started = time.perf_counter()
                    cursor.execute(definition)
                    self.stdout.write(
                        f"  rebuilt {index} in {time.perf_counter() - index_started:.1f} s"
                    )
        committed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
        finished = time.perf_counter()
        copy_time, index_time = loaded - started, committed - loaded
        indexes = (
            f"{len(definitions)} secondary indexes rebuilt in {index_time:.1f} s"
            if definitions
            else f"indexes maintained during the load, commit {index_time:.1f} s"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {total:,} synthetic enterprises in {finished - started:.1f} s: "
                f"COPY {copy_time:.1f} s ({total / copy_time:,.0f} rows/s), {indexes}, "
                f"ANALYZE {finished - committed:.1f} s; overall "
                f"{total / (finished - started):,.0f} rows/s."
            )
        )

    @staticmethod
    def copy(cursor, sql, produce):
        raw = cursor.cursor
        pid, stream = generate_in_child(produce)
        try:
            with stream, connection.wrap_database_errors:
                if hasattr(raw, "copy_expert"):  # psycopg2
                    raw.copy_expert(sql, stream, size=1 << 16)
                else:  # psycopg 3
                    with raw.copy(sql) as copy:
                        while data := stream.read(1 << 16):
                            copy.write(data)
        finally:
            _pid, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise CommandError("The row generator failed (see the traceback above).")
