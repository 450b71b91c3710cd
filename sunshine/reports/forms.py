from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SECTION_TWO_FIELDS
from .tables import COLUMN_LABELS, Table, row_labels

# 行政许可 decisions made in the service hall are counted by the system; staff add the rest.
LICENCES_LABEL = _("行政许可 平台外作出的处理决定数量")
LICENCES_HELP = _("网上办事大厅办理的行政许可决定由系统统计，此处只填在平台外作出的决定。")


class ReportForm(forms.Form):
    overview = forms.CharField(label=_("一、总体情况"), required=False, widget=forms.Textarea)
    problems = forms.CharField(
        label=_("五、存在的主要问题及改进情况"), required=False, widget=forms.Textarea
    )
    other = forms.CharField(
        label=_("六、其他需要报告的事项"), required=False, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SECTION_TWO_FIELDS:
            field = forms.DecimalField if name == "fees_10k_yuan" else forms.IntegerField
            self.fields[name] = field(label=label, required=False, min_value=0)
        self.fields["licences"].label = LICENCES_LABEL
        self.fields["licences"].help_text = LICENCES_HELP

    def section_two(self) -> dict:
        return {
            name: float(v) if name == "fees_10k_yuan" and v is not None else v
            for name, _label in SECTION_TWO_FIELDS
            if (v := self.cleaned_data.get(name)) is not None
        }


def cell(row: int, column: int) -> str:
    return f"r{row}_c{column}"


class SectionThreeForm(forms.Form):
    """Section 三 as printed: 25 rows × 7 columns, 总计 included, so the template's checks can
    catch a mistyped figure. An empty cell is 0."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for row, label in row_labels():
            for column, heading in enumerate(COLUMN_LABELS):
                name = f"{label}·{heading}"
                self.fields[cell(row, column)] = forms.IntegerField(
                    label=name,
                    required=False,
                    min_value=0,
                    max_value=10_000_000,
                    widget=forms.NumberInput(attrs={"class": "cell", "aria-label": name}),
                )

    @staticmethod
    def initial_from(table: dict[str, list[int]]) -> dict[str, int]:
        return {
            cell(int(row), column): value
            for row, values in table.items()
            for column, value in enumerate(values)
        }

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(row label, its 7 bound fields) for the grid."""
        columns = range(len(COLUMN_LABELS))
        return [(label, [self[cell(row, c)] for c in columns]) for row, label in row_labels()]

    def table(self) -> Table:
        return {
            row: [
                self.cleaned_data.get(cell(row, column)) or 0
                for column in range(len(COLUMN_LABELS))
            ]
            for row, _label in row_labels()
        }
