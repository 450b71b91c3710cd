"""The guide's 空白表格 and 示例样表: generated as Word for the demo's form materials, stored
once, offered on the public guide page and downloaded through the hall."""

import io
import re
import zipfile
from io import StringIO

from django.core.management import call_command

from sunshine.hall.models import Material, ServiceItem

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def text(content: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def download(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert ".docx" in response["Content-Disposition"]
    return text(b"".join(response.streaming_content))


def test_the_guide_offers_the_forms_and_they_download_as_word(demo, client):
    item = ServiceItem.objects.get(name="成品油零售经营资格初审（加油站设置）")
    form = item.materials.get(name="申请书")
    page = client.get(f"/hall/items/{item.pk}/").content.decode()  # anonymous: the guide is public
    blank_url, sample_url = (f"/hall/materials/{form.pk}/{k}/" for k in ("blank", "sample"))
    assert f'href="{blank_url}"' in page and f'href="{sample_url}"' in page
    licence = item.materials.get(name="营业执照")  # a certificate, not a form to fill in
    assert not licence.blank_form and f"/hall/materials/{licence.pk}/" not in page

    blank = download(client, blank_url)
    assert "成品油零售经营资格初审（加油站设置）申请书" in blank
    assert (
        "统一社会信用代码" in blank and "填表依据：《中华人民共和国行政许可法》第二十九条" in blank
    )
    assert "示例" not in blank.replace("示例市", "")
    sample = download(client, sample_url)
    assert "示例样表" in sample and "（样表）" in sample
    assert "示例市阳光商贸有限公司" in sample and "新设加油站一座" in sample

    assert client.get(f"/hall/materials/{licence.pk}/blank/").status_code == 404
    assert client.get(f"/hall/materials/{form.pk}/other/").status_code == 404


def test_filings_have_their_registration_forms(demo, client):
    item = ServiceItem.objects.get(name="再生资源回收经营者备案")
    form = item.materials.get(name="再生资源回收经营者备案登记表")
    assert "再生资源回收经营者备案登记表（样表）" in download(
        client, f"/hall/materials/{form.pk}/sample/"
    )


def test_loading_the_demo_again_adds_no_forms(demo):
    before = dict(Material.objects.values_list("pk", "blank_form"))
    call_command("load_demo", stdout=StringIO())
    assert dict(Material.objects.values_list("pk", "blank_form")) == before
    forms = Material.objects.exclude(blank_form="")
    assert forms.count() == 5  # the 申请书 of three licences and the forms of two 备案
    assert not forms.filter(sample="").exists()
