"""Art. 20(1) figures for the annual report."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from sunshine.errors import ActionError
from sunshine.publishing import actions
from sunshine.publishing.queries import normative_document_counts

from .factories import draft, pending

pytestmark = pytest.mark.django_db


def _publish_at(demo, when: datetime, **fields):
    item = draft(demo, written_on=when.date(), **fields)
    actions.submit(demo.users["officer"], item, at=when)
    actions.approve_task(demo.users["office_head"], pending(item), at=when)
    actions.approve_task(
        demo.users["secrecy"], pending(item), decision="publish", legal_basis="第十九条", at=when
    )
    actions.approve_task(demo.users["deputy"], pending(item), at=when)
    item.refresh_from_db()
    return item


def test_issued_abolished_and_in_force(demo):
    bureau = demo.departments["SLS-SWJ"]
    base = normative_document_counts(bureau, 2025)
    aware = timezone.make_aware
    old = _publish_at(demo, aware(datetime(2025, 3, 1, 10)), kind="normative")
    _publish_at(demo, aware(datetime(2025, 6, 1, 10)), kind="normative")
    _publish_at(demo, aware(datetime(2025, 6, 2, 10)), kind="rule")
    with pytest.raises(ActionError):
        actions.set_validity(
            demo.users["deputy"], old, validity="valid", on=date(2025, 9, 1), reason="x"
        )
    actions.set_validity(
        demo.users["deputy"], old, validity="abolished", on=date(2025, 9, 1), reason="被新办法替代"
    )
    counts = normative_document_counts(bureau, 2025)
    diff = {k: {m: counts[k][m] - base[k][m] for m in counts[k]} for k in counts}
    assert diff == {
        "rule": {"issued": 1, "abolished": 0, "in_force": 1},
        "normative": {"issued": 2, "abolished": 1, "in_force": 1},
    }


@pytest.mark.django_db(transaction=True)
def test_themes_and_terms_survive_a_flush():
    from io import StringIO

    from django.core.management import call_command

    from sunshine.publishing.models import SensitiveTerm, Theme

    call_command("flush", interactive=False, stdout=StringIO())
    assert SensitiveTerm.objects.filter(term="绝密").exists()
    assert Theme.objects.filter(parent=None).exists()
