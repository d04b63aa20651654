"""The AUCL revised in 2025, checked: the trade-secret rules are the four paragraphs of 第十条 (the
words of 2019 第九条), the penalty 第二十六条 with its new range for serious cases, and the
reporting, credit-record and burden-of-proof rules, which had no 2025 row and fell back to the
2019 citation, are 第二十条, 第三十三条 and 第三十九条.

A row is changed only while it is as 0001 seeded it, and a row is added only where the table has
no version of that key from 15 October 2025: what provincial staff entered in the admin stands.
Each change is written to the table's history, so the admin shows who changed what, and why."""

import importlib

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

SEED = importlib.import_module("tsprotect.legal.migrations.0001_initial")
IN_FORCE_FROM = "2025-10-15"
REASON = "数据迁移 legal 0002：2025修订文本经核对"
REASON_BACK = "数据迁移 legal 0002 回退"

# Checked against a copy of the NPC's database (flk.npc.gov.cn could not be opened live; two
# stored copies of the text, one of them downloaded from that database, agree word for word).
CHECKED = dict(
    confirmed=True,
    source=(
        "经核对国家法律法规数据库（flk.npc.gov.cn，记录ff808181971552b40197b1016efc5437）的副本："
        "2025年6月27日第十四届全国人大常委会第十六次会议修订文本"
    ),
)


def _seeded(key, in_force_from):
    return next(
        row
        for row in SEED.PROVISIONS
        if row["key"] == key and row["in_force_from"] == in_force_from
    )


def _excerpt_2019(key):
    return _seeded(key, SEED.AUCL_2019["in_force_from"])["excerpt"]


# key: (article, excerpt) of the 2025 rows 0001 seeded unchecked.
CORRECTED = {
    "aucl.trade_secret_acts": ("第十条第一款", _excerpt_2019("aucl.trade_secret_acts")),
    "aucl.other_infringers": ("第十条第二款", _excerpt_2019("aucl.other_infringers")),
    "aucl.third_party": ("第十条第三款", _excerpt_2019("aucl.third_party")),
    "aucl.trade_secret_definition": (
        "第十条第四款",
        _excerpt_2019("aucl.trade_secret_definition"),
    ),
    # The serious-case range starts at 一百万元 now (2019: 五十万元).
    "aucl.trade_secret_penalty": (
        "第二十六条",
        "经营者以及其他自然人、法人和非法人组织违反本法第十条规定侵犯商业秘密的，由监督检查部门"
        "责令停止违法行为，没收违法所得，处十万元以上一百万元以下的罚款；情节严重的，处一百万元"
        "以上五百万元以下的罚款。",
    ),
}

# key: (article, title, excerpt) of the 2025 rows 0001 did not seed.
ADDED = {
    "aucl.reporting": (
        "第二十条",
        "举报及其处理",
        "对涉嫌不正当竞争行为，任何单位和个人有权向监督检查部门举报，监督检查部门接到举报后应当"
        "依法及时处理。监督检查部门应当向社会公开受理举报的电话、信箱或者电子邮件地址，并为举报人"
        "保密。对实名举报并提供相关事实和证据的，监督检查部门应当将处理结果及时告知举报人。",
    ),
    "aucl.credit_record": (
        "第三十三条",
        "行政处罚记入信用记录并公示",
        "经营者违反本法规定从事不正当竞争，受到行政处罚的，由监督检查部门记入信用记录，并依照"
        "有关法律、行政法规的规定予以公示。",
    ),
    "aucl.burden_of_proof": (
        "第三十九条",
        "侵犯商业秘密民事审判中的举证责任",
        "在侵犯商业秘密的民事审判程序中，商业秘密权利人提供初步证据，证明其已经对所主张的商业秘密"
        "采取保密措施，且合理表明商业秘密被侵犯，涉嫌侵权人应当证明权利人所主张的商业秘密不属于"
        "本法规定的商业秘密。商业秘密权利人提供初步证据合理表明商业秘密被侵犯，且提供以下证据之一"
        "的，涉嫌侵权人应当证明其不存在侵犯商业秘密的行为：（一）有证据表明涉嫌侵权人有渠道或者"
        "机会获取商业秘密，且其使用的信息与该商业秘密实质上相同；（二）有证据表明商业秘密已经被"
        "涉嫌侵权人披露、使用或者有被披露、使用的风险；（三）有其他证据表明商业秘密被涉嫌侵权人侵犯。",
    ),
}
FIELDS = ["article", "excerpt", "confirmed", "source"]


def _as_seeded(key):
    row = _seeded(key, IN_FORCE_FROM)
    return {field: row[field] for field in FIELDS}


def _as_checked(key):
    article, excerpt = CORRECTED[key]
    return {"article": article, "excerpt": excerpt, **CHECKED}


def _fields(provision):
    return {f.attname: getattr(provision, f.attname) for f in provision._meta.concrete_fields}


def _save(apps, provision, history_type, reason):
    """Save ``provision`` (or delete it, "-") with a line in the table's history, as an edit in
    the admin leaves one: the model in use records it itself; a migration's model does not."""
    provision._change_reason = reason
    if history_type == "-":
        fields = _fields(provision)  # before the delete forgets the id
        provision.delete()
    else:
        provision.save()
        fields = _fields(provision)
    if hasattr(type(provision), "history"):
        return
    apps.get_model("legal", "HistoricalProvision").objects.create(
        **fields,
        history_date=timezone.now(),
        history_type=history_type,
        history_change_reason=reason,
        history_user=None,
    )


def _change(apps, key, before, after, reason):
    Provision = apps.get_model("legal", "Provision")
    rows = Provision.objects.filter(law="aucl", key=key, in_force_from=IN_FORCE_FROM, **before)
    for provision in rows:
        for field, value in after.items():
            setattr(provision, field, value)
        _save(apps, provision, "~", reason)


def _added(key):
    article, title, excerpt = ADDED[key]
    return {
        **SEED.AUCL_2025,
        **CHECKED,
        "key": key,
        "article": article,
        "title": title,
        "excerpt": excerpt,
    }


def forward(apps, schema_editor):
    Provision = apps.get_model("legal", "Provision")
    for key in CORRECTED:
        _change(apps, key, _as_seeded(key), _as_checked(key), REASON)
    for key in ADDED:
        taken = Provision.objects.filter(law="aucl", key=key).filter(
            Q(in_force_until__isnull=True) | Q(in_force_until__gte=IN_FORCE_FROM)
        )
        if taken.exists():  # entered by staff, or the 2019 row no longer ends on 14 October
            continue
        _save(apps, Provision(**_added(key)), "+", REASON)


def backward(apps, schema_editor):
    Provision = apps.get_model("legal", "Provision")
    for key in CORRECTED:
        _change(apps, key, _as_checked(key), _as_seeded(key), REASON_BACK)
    for key in ADDED:
        for provision in Provision.objects.filter(**_added(key)):  # as added, not edited since
            _save(apps, provision, "-", REASON_BACK)


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
