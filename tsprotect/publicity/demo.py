"""Demo notices for ``seed_demo``: published ones on the public home, a draft for the province."""

from tsprotect.accounts.models import User

from . import services
from .models import Notice

NOTICES = [
    # (title, category, summary, body, publish)
    (
        "关于开展2026年度商业秘密保护示范企业申报工作的通知",
        Notice.Category.NOTICE,
        "各市州市场监管局组织辖区企业于规定期限内提交申报材料。",
        "<p>根据《关于加强商业秘密保护工作的实施意见》，现组织开展2026年度湖南省商业秘密保护"
        "示范企业申报工作。</p><ol><li>申报对象：在我省登记注册、具有自主知识产权的企业；</li>"
        "<li>申报方式：登录本平台“示范创建”栏目在线填报；</li>"
        "<li>截止时间：以申报批次公布的日期为准。</li></ol>",
        True,
    ),
    (
        "《中华人民共和国反不正当竞争法》商业秘密条款解读",
        Notice.Category.POLICY,
        "商业秘密的构成要件、侵权行为类型及法律责任。",
        "<p>商业秘密是指不为公众所知悉、具有商业价值并经权利人采取相应保密措施的技术信息、"
        "经营信息等商业信息。</p><p>经营者不得以盗窃、贿赂、欺诈、胁迫、电子侵入或者其他不正当"
        "手段获取权利人的商业秘密。</p>",
        True,
    ),
    (
        "长沙市局开展商业秘密保护进园区专项行动",
        Notice.Category.NEWS,
        "走访园区企业、开展保密制度体检和专题培训。",
        "<p>长沙市市场监督管理局近日在长沙高新区开展商业秘密保护进园区专项行动，"
        "走访企业20余家，指导企业完善保密协议和竞业限制管理。</p>",
        True,
    ),
    (
        "2027年度商业秘密保护工作要点（征求意见稿）",
        Notice.Category.POLICY,
        "",
        "<p>征求意见稿，尚未发布。</p>",
        False,
    ),
]


def seed():
    """Create the demo notices once; returns how many were created."""
    if Notice.objects.exists():
        return 0
    author = User.objects.get(username="province")
    for title, category, summary, body, publish in NOTICES:
        notice = Notice.objects.create(
            title=title, category=category, summary=summary, body=body, author=author
        )
        if publish:
            services.publish(notice, author)
    return len(NOTICES)
