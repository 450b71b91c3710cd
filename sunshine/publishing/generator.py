"""Realistic publications for the demo and the search benchmark.

Assembled from the kinds of documents the seeds name (通知公告, 政策法规, 工作动态, 统计数据,
招商项目, 领导讲话, 政策解读) and the phrasing of the bureaus' own reports, with varied places,
goods, firms and figures.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

PLACES = [
    "清水镇",
    "东城区",
    "西湖街道",
    "高新区",
    "经济开发区",
    "北山乡",
    "南湖新区",
    "临港工业园",
    "金沙镇",
    "白鹭洲街道",
    "龙泉镇",
    "桃源乡",
    "城南片区",
    "滨江新城",
    "青石镇",
]
GOODS = [
    "生猪",
    "蔬菜",
    "成品油",
    "粮油",
    "鸡蛋",
    "食用盐",
    "药品",
    "冷链食品",
    "电动自行车",
    "家用电器",
    "建材",
    "化肥",
    "茶叶",
    "水产品",
    "乳制品",
    "酒类",
]
FIRMS = [
    "示例市阳光商贸有限公司",
    "清水农产品批发市场",
    "滨江物流园",
    "金沙电子科技有限公司",
    "龙泉酒业集团",
    "南湖国际商城",
    "白鹭洲冷链仓储中心",
    "北山茶叶专业合作社",
    "临港进出口贸易公司",
    "城南汽车销售服务有限公司",
]
TOPICS = [
    "行政审批",
    "外商投资",
    "电子商务",
    "市场运行",
    "招商引资",
    "对外贸易",
    "商贸流通",
    "消费促进",
    "安全生产",
    "政务公开",
    "网上办事",
    "诚信建设",
    "家政服务",
    "再生资源回收",
    "步行街改造",
    "老字号保护",
    "农村电商",
    "冷链物流",
    "会展经济",
    "服务外包",
]
ACTIONS = [
    "专项检查",
    "集中整治",
    "业务培训",
    "座谈会",
    "现场调研",
    "督查考核",
    "宣传月活动",
    "推进会",
    "监测预警",
    "评审验收",
]
KINDS = ["通知公告", "政策法规", "工作动态", "统计数据", "招商项目", "领导讲话", "政策解读"]

SENTENCES = [
    "为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步提高{topic}工作透明度，结合我市实际，现就有关事项通知如下。",
    "各县（市、区）商务主管部门要高度重视{topic}工作，明确分管领导和具体责任人，确保各项措施落到实处。",
    "{place}{action}期间，共检查{good}经营单位{n}家，发现问题{m}处，已责令限期整改。",
    "据监测，本周全市{good}批发价格为每公斤{price}元，环比{trend}{pct}%，市场供应总体充足。",
    "{firm}项目总投资{amount}亿元，主要建设{good}加工、仓储和配送设施，建成后预计年销售收入{income}亿元。",
    "本项目拟在{place}选址建设，用地约{area}亩，现面向社会公开招商，欢迎国内外客商洽谈合作。",
    "会议指出，要坚持公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。",
    "下一步，我局将继续完善网上政务服务和电子监察系统，推动{topic}事项网上受理、网上办理、网上反馈。",
    "申请人可通过市政务服务网、政务服务中心窗口或信函方式提出申请，承诺办结时限为{days}个工作日。",
    "对违反规定的行为，依照有关法律法规予以处理，并在市政府门户网站向社会公开。",
    "{month}月份全市社会消费品零售总额{amount}亿元，同比增长{pct}%，其中{good}类商品增长较快。",
    "全年累计办理{topic}事项{n}件，提前办结率达到{rate}%，群众满意率保持在{sat}%以上。",
    "各单位要建立健全信息发布保密审查机制，做到先审查、后公开，一事一审、全面审查。",
    "本办法自{year}年{month}月{day}日起施行，有效期五年，由市商务局负责解释。",
    "局领导在讲话中强调，要以{topic}为抓手，优化营商环境，服务市场主体，推动商务经济高质量发展。",
    "此次政策调整主要涉及{good}流通领域，重点解决企业反映集中的{topic}问题，降低企业制度性交易成本。",
    "{place}组织开展{topic}{action}，{firm}等{n}家企业参加，现场解答企业咨询{m}条。",
    "联系电话：{phone_area}-{phone_local}，联系地址：示例市{place}政务服务中心{room}室。",
]
TITLES = {
    "通知公告": [
        "关于开展{year}年{topic}{action}的通知",
        "关于做好{place}{good}市场供应保障工作的通知",
        "关于公布{year}年度{topic}检查结果的公告",
    ],
    "政策法规": [
        "示例市{topic}管理办法",
        "示例市促进{topic}发展若干措施",
        "关于进一步规范{good}市场秩序的实施意见",
    ],
    "工作动态": [
        "{place}召开{topic}{action}",
        "市商务局开展{good}市场{action}",
        "{firm}{topic}项目顺利推进",
    ],
    "统计数据": [
        "{year}年{month}月全市{good}市场运行情况",
        "{year}年{month}月社会消费品零售总额统计",
        "{year}年第{quarter}季度{topic}统计数据",
    ],
    "招商项目": [
        "{place}{good}加工物流园招商项目",
        "{firm}扩建项目招商公告",
        "{place}{topic}综合体招商项目",
    ],
    "领导讲话": ["在全市{topic}工作会议上的讲话", "局长在{year}年{topic}推进会上的讲话"],
    "政策解读": ["《示例市{topic}管理办法》政策解读", "图解：促进{topic}发展若干措施"],
}
KIND_OF = {"政策法规": "normative"}
AGENCY_CODES = ["示商发", "示商函", "示政办发", "示商通"]


@dataclass
class Generated:
    column: str
    title: str
    body: list[str]
    doc_number: str
    kind: str
    written_on: date


def _fill(rng: random.Random, template: str, written: date) -> str:
    return template.format(
        place=rng.choice(PLACES),
        good=rng.choice(GOODS),
        firm=rng.choice(FIRMS),
        topic=rng.choice(TOPICS),
        action=rng.choice(ACTIONS),
        n=rng.randint(3, 480),
        m=rng.randint(1, 60),
        price=f"{rng.uniform(2, 60):.2f}",
        trend=rng.choice(["上涨", "下降"]),
        pct=f"{rng.uniform(0.1, 15):.1f}",
        amount=f"{rng.uniform(0.5, 120):.1f}",
        income=f"{rng.uniform(1, 50):.1f}",
        area=rng.randint(20, 900),
        days=rng.choice([3, 5, 7, 10, 15, 20]),
        month=written.month,
        day=written.day,
        year=written.year,
        quarter=(written.month - 1) // 3 + 1,
        rate=f"{rng.uniform(80, 100):.1f}",
        sat=rng.choice([95, 96, 97, 98, 99]),
        phone_area="0744",
        phone_local=rng.randint(8200000, 8299999),
        room=rng.randint(101, 520),
    )


def generate(rng: random.Random, *, start: date, days: int) -> Generated:
    """One publication of a random kind, written on a day within `days` after `start`."""
    column = rng.choice(KINDS)
    written = start + timedelta(days=rng.randrange(days))
    title = _fill(rng, rng.choice(TITLES[column]), written)
    body = [_fill(rng, s, written) for s in rng.sample(SENTENCES, rng.randint(4, 8))]
    doc_number = ""
    if column in ("通知公告", "政策法规"):
        doc_number = f"{rng.choice(AGENCY_CODES)}〔{written.year}〕{rng.randint(1, 180)}号"
    kind = KIND_OF.get(column, "document" if doc_number else "information")
    return Generated(column, title, body, doc_number, kind, written)
