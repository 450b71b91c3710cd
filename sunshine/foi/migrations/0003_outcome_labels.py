"""A template row of one outcome is labelled once: "（一）予以公开", not "（一）予以公开 予以公开"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("foi", "0002_links_to_appeals_and_publishing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="request",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("disclose", "（一）予以公开"),
                    ("partial", "（二）部分公开"),
                    ("secret", "（三）不予公开 属于国家秘密"),
                    ("forbidden", "（三）不予公开 其他法律行政法规禁止公开"),
                    ("security", "（三）不予公开 危及“三安全一稳定”"),
                    ("third_party", "（三）不予公开 保护第三方合法权益"),
                    ("internal", "（三）不予公开 属于三类内部事务信息"),
                    ("process", "（三）不予公开 属于四类过程性信息"),
                    ("enforcement", "（三）不予公开 属于行政执法案卷"),
                    ("inquiry", "（三）不予公开 属于行政查询事项"),
                    ("not_held", "（四）无法提供 本机关不掌握相关政府信息"),
                    ("new_record", "（四）无法提供 没有现成信息需要另行制作"),
                    ("unclear", "（四）无法提供 补正后申请内容仍不明确"),
                    ("petition", "（五）不予处理 信访举报投诉类申请"),
                    ("repeat", "（五）不予处理 重复申请"),
                    ("publication", "（五）不予处理 要求提供公开出版物"),
                    ("excessive", "（五）不予处理 无正当理由大量反复申请"),
                    ("confirm", "（五）不予处理 要求行政机关确认或重新出具已获取信息"),
                    (
                        "no_correction",
                        "（六）其他处理 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                    ),
                    (
                        "unpaid",
                        "（六）其他处理 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                    ),
                    ("other", "（六）其他处理 其他"),
                ],
                max_length=16,
                verbose_name="办理结果",
            ),
        ),
        migrations.AlterField(
            model_name="request",
            name="draft_outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("disclose", "（一）予以公开"),
                    ("partial", "（二）部分公开"),
                    ("secret", "（三）不予公开 属于国家秘密"),
                    ("forbidden", "（三）不予公开 其他法律行政法规禁止公开"),
                    ("security", "（三）不予公开 危及“三安全一稳定”"),
                    ("third_party", "（三）不予公开 保护第三方合法权益"),
                    ("internal", "（三）不予公开 属于三类内部事务信息"),
                    ("process", "（三）不予公开 属于四类过程性信息"),
                    ("enforcement", "（三）不予公开 属于行政执法案卷"),
                    ("inquiry", "（三）不予公开 属于行政查询事项"),
                    ("not_held", "（四）无法提供 本机关不掌握相关政府信息"),
                    ("new_record", "（四）无法提供 没有现成信息需要另行制作"),
                    ("unclear", "（四）无法提供 补正后申请内容仍不明确"),
                    ("petition", "（五）不予处理 信访举报投诉类申请"),
                    ("repeat", "（五）不予处理 重复申请"),
                    ("publication", "（五）不予处理 要求提供公开出版物"),
                    ("excessive", "（五）不予处理 无正当理由大量反复申请"),
                    ("confirm", "（五）不予处理 要求行政机关确认或重新出具已获取信息"),
                    (
                        "no_correction",
                        "（六）其他处理 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                    ),
                    (
                        "unpaid",
                        "（六）其他处理 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                    ),
                    ("other", "（六）其他处理 其他"),
                ],
                max_length=16,
                verbose_name="拟办结果",
            ),
        ),
    ]
