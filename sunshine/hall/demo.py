"""Demo service items from the seeds (商务局 licences and filings), with their processes and the
blank forms and filled-in samples (空白表格, 示例样表) of their form materials."""

import hashlib
import io
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from sunshine.documents.letters import BODY_FONT
from sunshine.org.models import Department
from sunshine.workflow.models import ProcessDefinition

from .models import (
    CaseType,
    Fee,
    ItemType,
    LegalBasis,
    Level,
    Material,
    ResultType,
    ServiceItem,
    Theme,
)

REMEDIES = (
    "如不服本决定，可以自收到本决定之日起六十日内向示例市人民政府申请行政复议，"
    "或者自收到本决定之日起六个月内向示例市人民法院提起行政诉讼。"
)
W = {"actions": ["approve", "reject", "return_applicant"]}
LICENCE_STEPS = [
    {"key": "accept", "name": "受理", "role": "window", "department": "SLS-SWJ-BGS", "limit": 5,
     "intake": True, **W,
     "risks": [{"grade": "中", "point": "不按规定受理或故意刁难",
                "control": "一次性告知、限时受理"}]},
    {"key": "first", "name": "业务科室初审", "role": "handler", "department": "SLS-SWJ-SCYX",
     "limit": 3, "risks": [{"grade": "中", "point": "审查不严或吃拿卡要",
                            "control": "两人以上现场核查，意见留痕"}]},
    {"key": "review", "name": "分管领导审查", "role": "deputy_leader", "department": "SLS-SWJ",
     "limit": 2},
    {"key": "joint", "name": "并联审查", "limit": 5, "join": "all", "branches": [
        {"key": "swj", "name": "商务局市场运行科会审", "role": "reviewer",
         "department": "SLS-SWJ-SCYX"},
        {"key": "scjg", "name": "市场监管局会审", "role": "handler", "department": "SLS-SCJG"}]},
    {"key": "meeting", "name": "局长办公会议审议", "role": "leader", "department": "SLS-SWJ",
     "limit": 3, "risks": [{"grade": "高", "point": "违规决策", "control": "集体审议，记录在案"}]},
    {"key": "decide", "name": "制作决定书", "role": "handler", "department": "SLS-SWJ-SCYX",
     "limit": 2, "decides": True},
    {"key": "deliver", "name": "送达", "role": "window", "department": "SLS-SWJ-BGS", "limit": 2,
     "actions": ["approve"]},
]  # fmt: skip
# A 备案 is not a licensing decision: it is done when the filing is returned (办结送达). Its
# intake is no 第三十二条 intake of five days: the steps, intake included, fit the 3 days promised.
FILING_STEPS = [
    {**LICENCE_STEPS[0], "limit": 1},
    {"key": "check", "name": "业务科室审核", "role": "handler", "department": "SLS-SWJ-SCYX",
     "limit": 1},
    {"key": "deliver", "name": "办结送达", "role": "window", "department": "SLS-SWJ-BGS",
     "limit": 1, "actions": ["approve"]},
]  # fmt: skip

# (name, required, originals, copies, basis, note): what a licence application needs under
# 《行政许可法》, then each item's own; a 备案 asks only what the rules that set it list.
LICENCE_MATERIALS = [
    ("申请书", True, 1, 0, "《中华人民共和国行政许可法》第二十九条", ""),
    ("营业执照", True, 0, 1, "《中华人民共和国行政许可法》第三十一条", ""),
]
PREPAID_CARDS = "《单用途商业预付卡管理办法（试行）》"
RECYCLING = "《再生资源回收管理办法》"
# (impl code suffix, name, type, process, statutory, committed, result, themes, materials)
ITEMS = [
    ("001", "成品油零售经营资格初审（加油站设置）", ItemType.LICENSING, "licence", 45, 20,
     "成品油零售经营批准证书", ["商贸流通", "项目建设"], [*LICENCE_MATERIALS,
     ("加油站规划选址意见", True, 1, 1, "《成品油市场管理办法》第十三条", "")]),
    ("002", "生猪定点屠宰厂（场）设置审查", ItemType.LICENSING, "licence", 45, 20,
     "生猪定点屠宰证书", ["商贸流通", "食品安全"], [*LICENCE_MATERIALS,
     ("动物防疫条件合格证", True, 0, 1, "《生猪屠宰管理条例》第十一条", "")]),
    ("003", "外商投资企业设立及变更", ItemType.LICENSING, "licence", 45, 20,
     "外商投资企业批准证书", ["投资审批", "开办企业"], [*LICENCE_MATERIALS,
     ("投资者身份证明", True, 0, 1, "《中华人民共和国外商投资法》第三十四条", "")]),
    # A city's 商务局 takes the filings of 规模发卡企业 (第七条); 集团 and 品牌 issuers file with
    # the province, the others with the county.
    ("004", "单用途商业预付卡发卡企业备案", ItemType.OTHER, "filing", 5, 3,
     "单用途商业预付卡备案证明", ["商贸流通", "开办企业"], [
         ("单用途卡发卡企业备案表", True, 1, 0, PREPAID_CARDS, ""),
         ("营业执照", True, 0, 1, PREPAID_CARDS, "副本复印件"),
         ("经审计的上一年度财务报表", False, 0, 1, PREPAID_CARDS, "注册登记不足一年的企业免交"),
         ("实体卡样本（正反面）或虚拟卡记载的信息样本", True, 1, 0, PREPAID_CARDS, ""),
         ("单用途卡业务、资金管理制度", True, 0, 1, PREPAID_CARDS, ""),
         ("单用途卡购卡章程、协议", True, 0, 1, PREPAID_CARDS, ""),
         ("资金存管账户信息和资金存管协议", True, 0, 1, PREPAID_CARDS, "")]),
    # The 对外贸易经营者备案登记 of the seeds' years ended with the 2022 amendment of
    # 《对外贸易法》; the recyclers' filing is still the 商务局's.
    ("005", "再生资源回收经营者备案", ItemType.OTHER, "filing", 5, 3,
     "再生资源回收经营者备案登记证明", ["商贸流通", "开办企业"], [
         ("再生资源回收经营者备案登记表", True, 1, 0, RECYCLING, "法定代表人签字并加盖公章"),
         ("营业执照", True, 0, 1, RECYCLING, "副本复印件"),
         ("法定代表人身份证明", True, 0, 1, RECYCLING, "")]),
]  # fmt: skip
CONDITIONS = "申请人为依法设立的企业法人，具备与经营规模相适应的场所、设施和人员。"
# impl code suffix: the 受理条件 of an item that has its own.
ITEM_CONDITIONS = {
    "004": "从事零售业、住宿和餐饮业、居民服务业，在本市登记注册并发行单用途商业预付卡的规模发卡"
    "企业，自开展单用途卡业务之日起30日内办理备案。",
}
# (law, document number, article, text) of each item's 设定依据, which its intake cites: a licence
# follows 《行政许可法》第三十二条, a 备案 is no licence and follows the rules that set it.
LICENCE_BASIS = (
    "《中华人民共和国行政许可法》",
    "中华人民共和国主席令第二十九号",
    "第三十二条",
    "行政机关对申请人提出的行政许可申请，应当根据下列情况分别作出处理……",
)
BASES = {
    "004": (PREPAID_CARDS, "商务部令2012年第9号", "第七条",
            "发卡企业应在开展单用途卡业务之日起30日内按照下列规定办理备案：（一）集团发卡企业和品牌"
            "发卡企业向其工商登记注册地省、自治区、直辖市人民政府商务主管部门备案；（二）规模发卡企"
            "业向其工商登记注册地设区的市人民政府商务主管部门备案；（三）其他发卡企业向其工商登记注"
            "册地县（市、区）人民政府商务主管部门备案。"),
    "005": (RECYCLING, "商务部 发展改革委 公安部 建设部 工商总局 环保总局令2007年第8号", "第七条",
            "从事再生资源回收经营活动，应当在取得营业执照后30日内，按属地管理原则，向登记注册地工商"
            "行政管理部门的同级商务主管部门或者其授权机构备案。"),
}  # fmt: skip
LIFE_EVENTS = {"开办企业", "企业变更", "项目建设"}
# impl code suffix: (name, standard, per-case ceiling in yuan or None when it depends, basis)
FEES = {
    "002": ("生猪定点屠宰证书及标志牌工本费", "每套 50 元", Decimal("50.00"),
            "示例省发展改革委 示发改价费〔2024〕12号"),
    "003": ("外商投资企业批准证书工本费", "每份 10 元，按申请份数计", None,
            "示例省发展改革委 示发改价费〔2024〕12号"),
}  # fmt: skip

# Materials that are forms to fill in, by how their names end.
FORM_NAMES = ("申请书", "申请表", "登记表", "备案表")
# The fields of every demo form (those of the online application among them), with the
# fictitious values of the sample (申请事项 and 申请内容 come from the item).
FORM_FIELDS = [
    ("申请人名称", "示例市阳光商贸有限公司"),
    ("统一社会信用代码", "91990000MA0000000X"),
    ("法定代表人（负责人）", "张示例"),
    ("住所", "示例市滨江路 1 号"),
    ("联系人", "李示例"),
    ("联系电话", "0000-12345678"),
    ("申请事项", ""),
    ("申请内容", ""),
    ("经营（项目）地址", "示例市滨江路 88 号"),
    ("情况说明", "申请人具备与经营规模相适应的场所、设施和人员，所附材料齐全。"),
]
# impl code suffix: the sample's 申请内容.
SAMPLE_PROJECTS = {
    "001": "新设加油站一座（汽油、柴油零售）",
    "002": "新建生猪定点屠宰场，年屠宰能力 10 万头",
    "003": "设立外商独资商贸企业",
    "004": "发行单用途商业预付卡（规模发卡企业，超市购物卡）备案",
    "005": "废旧金属、废纸、废塑料回收经营（回收站点 2 个）备案",
}
PLEDGE = "申请人承诺：所填内容及所附材料真实、合法、有效，如有虚假，愿承担相应的法律责任。"


def _definition(key: str, name: str, steps: list, committed: int) -> ProcessDefinition:
    spec = {"steps": steps}
    definition, created = ProcessDefinition.objects.get_or_create(
        key=key,
        version=1,
        defaults={"name": name, "committed_limit": committed, "spec": spec},
    )
    if created:
        definition.full_clean()
        definition.status = ProcessDefinition.Status.PUBLISHED
        definition.save()
    elif definition.spec != spec and not definition.instances.exists():
        # A database loaded before the spec changed (the deciding step marked), no case on it.
        ProcessDefinition.objects.filter(pk=definition.pk).update(spec=spec)
    return definition


def _fees() -> None:
    """The demo items that charge, with their standards (also on databases loaded before)."""
    for code, (name, standard, amount, basis) in FEES.items():
        item = ServiceItem.objects.get(impl_code=f"SLS-SWJ-DEMO-{code}", is_current=True)
        Fee.objects.update_or_create(
            item=item, name=name, defaults={"standard": standard, "amount": amount, "basis": basis}
        )
        ServiceItem.objects.filter(pk=item.pk).update(free=False)


def _form_docx(content: dict) -> bytes:
    """A form as Word: the title, the fields as a table to fill in, the pledge and signature,
    and the legal basis that asks for it; a sample says so above its title."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(12)
    # Without the East-Asian font named, Word sets the Chinese text in a Latin font.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    if content["sample"]:
        note = document.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = note.add_run("示例样表 · 所填内容均为虚构，仅供参考")
        run.font.bold, run.font.color.rgb = True, RGBColor(0xCC, 0, 0)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content["title"])
    run.font.bold, run.font.size = True, Pt(18)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content["rows"]:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).font.bold = True
        cells[1].text = value
    for text in (PLEDGE, content["signature"], content["basis"]):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _form(item: ServiceItem, material: Material, *, sample: bool) -> dict:
    """What a form says, as data: it names the file (see _store) and is rendered by _form_docx."""
    filled = {"申请事项": item.name}
    if sample:
        project = SAMPLE_PROJECTS.get(item.impl_code.rsplit("-", 1)[-1], "")
        filled = {**dict(FORM_FIELDS), **filled, "申请内容": project}
    title = f"{item.name}申请书" if material.name == "申请书" else material.name
    bases = "；".join(f"{b.law}{b.article}" for b in item.bases.all())
    return {
        "sample": sample,
        "title": f"{title}（样表）" if sample else title,
        "rows": [(label, filled.get(label, "")) for label, _example in FORM_FIELDS],
        "signature": "申请人（签章）：示例市阳光商贸有限公司　　2026年3月2日"
        if sample
        else "申请人（签章）：　　　　　　　　　　　　年　　月　　日",
        "basis": f"填表依据：{material.basis}；事项设定依据：{bases}。",
    }


def _store(file: FieldFile, content: dict) -> None:
    """The form under a name its content gives: a database loaded again, or a test's, takes the
    file already stored instead of writing another copy."""
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]
    name = f"hall/forms/demo-{digest}.docx"
    if not file.storage.exists(name):
        name = file.storage.save(name, ContentFile(_form_docx(content)))
    file.name = name


def _forms() -> None:
    """空白表格 and 示例样表 for the demo items' form materials that have none yet."""
    materials = Material.objects.filter(
        item__impl_code__startswith="SLS-SWJ-DEMO-", item__is_current=True
    ).select_related("item")
    for material in materials:
        if not material.name.endswith(FORM_NAMES) or (material.blank_form and material.sample):
            continue
        _store(material.blank_form, _form(material.item, material, sample=False))
        _store(material.sample, _form(material.item, material, sample=True))
        material.save(update_fields=["blank_form", "sample"])


@transaction.atomic
def load(stdout) -> None:
    if not ServiceItem.objects.filter(impl_code__startswith="SLS-SWJ-DEMO-").exists():
        _items(stdout)
    _fees()
    _forms()


def _items(stdout) -> None:
    swj = Department.objects.get(code="SLS-SWJ")
    section = Department.objects.get(code="SLS-SWJ-SCYX")
    market = Department.objects.get(code="SLS-SCJG")
    processes = {
        "licence": _definition("swj-licence", "商务行政许可并联审批", LICENCE_STEPS, 20),
        "filing": _definition("swj-filing", "商务备案", FILING_STEPS, 3),
    }
    for code, name, item_type, process, statutory, committed, result, themes, materials in ITEMS:
        item = ServiceItem.objects.create(
            name=name,
            basic_code=f"0001{code}",
            impl_code=f"SLS-SWJ-DEMO-{code}",
            item_type=item_type,
            case_type=CaseType.PROMISED,
            level=Level.CITY,
            service_objects=["2"],
            handling_forms=["1", "2"],
            online_depth=["1", "2", "3", "4", "5", "6"],
            special_procedures=["hearing", "expert"] if process == "licence" else [],
            department=swj,
            handling_unit=section,
            conditions=ITEM_CONDITIONS.get(code, CONDITIONS),
            statutory_limit=statutory,
            committed_limit=committed,
            limit_note="以工作日计算，不含法定节假日（《行政许可法》第八十二条）。"
            if item_type == ItemType.LICENSING
            else "以工作日计算，不含法定节假日。",
            place="示例市政务服务中心二楼商务局窗口",
            hours="工作日 上午 9:00—12:00，下午 13:30—17:00",
            consult_phone="0000-12345601",
            complaint_phone="0000-12345609",
            visits=0,
            result_type=ResultType.CERTIFICATE,
            result_name=result,
            remedies=REMEDIES,
            process=processes[process],
        )
        item.full_clean()
        if process == "licence":
            item.co_departments.add(market)
        for theme in themes:
            kind = Theme.Kind.LIFE_EVENT if theme in LIFE_EVENTS else Theme.Kind.TOPIC
            item.themes.add(Theme.objects.get_or_create(name=theme, kind=kind)[0])
        law, doc_number, article, text = BASES.get(code, LICENCE_BASIS)
        LegalBasis.objects.create(
            item=item, law=law, doc_number=doc_number, article=article, text=text
        )
        for n, (mname, required, originals, copies, basis, note) in enumerate(materials):
            Material.objects.create(
                item=item,
                name=mname,
                required=required,
                originals=originals,
                copies=copies,
                basis=basis,
                note=note,
                sort_order=n,
            )
    stdout.write(f"办事大厅：{len(ITEMS)} 个演示事项。")
