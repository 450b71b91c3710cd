"""The gov.cn 主题分类 and the classified markings the 保密 pre-check starts with."""

import json
from pathlib import Path

from django.db import migrations

TERMS = ["绝密", "机密", "秘密", "国家秘密", "内部", "内部资料", "内部使用", "注意保密", "工作秘密"]


def forwards(apps, schema_editor):
    Theme = apps.get_model("publishing", "Theme")
    SensitiveTerm = apps.get_model("publishing", "SensitiveTerm")
    tree = json.loads((Path(__file__).parent.parent / "data" / "themes.json").read_text("utf-8"))
    for i, (name, children) in enumerate(tree):
        parent, _ = Theme.objects.get_or_create(parent=None, name=name, defaults={"sort_order": i})
        for j, child in enumerate(children):
            Theme.objects.get_or_create(parent=parent, name=child, defaults={"sort_order": j})
    for term in TERMS:
        SensitiveTerm.objects.get_or_create(term=term)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
