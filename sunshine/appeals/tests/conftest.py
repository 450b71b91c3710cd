from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sunshine.appeals import actions
from sunshine.appeals.models import AppealType, Category, Mailbox

TZ = ZoneInfo("Asia/Shanghai")
# A Monday of ordinary working weeks (no holidays around it).
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


@pytest.fixture
def letter(demo):
    """A letter to the 市长信箱 from the demo citizen, received on MONDAY."""
    appeal, code = actions.submit_appeal(
        demo.users["13800000001"],
        mailbox=Mailbox.objects.get(code="mayor"),
        type=AppealType.COMPLAINT,
        category=Category.objects.get(code="prepaid"),
        title="美容店预付卡无法退款问题",
        body="我在阳光路的美容店办了预付卡，店铺关门后无法退款，请帮助协调。联系电话13812345678。",
        place="阳光路18号",
        contact_name="张三",
        phone="13812345678",
        consent_publish=True,
        at=MONDAY,
    )
    appeal.code = code
    return appeal
