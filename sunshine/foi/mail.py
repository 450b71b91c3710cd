"""The reply letter as an e-mail to the applicant (第二十九条: the form the applicant asked for).

The message follows the notifications' conventions (`supervision.notify`): Django's mail framework
and a Message-ID that stays the same across attempts, by which mail servers drop a repeat when a
worker dies after handing the message over and before recording it.
"""

import mimetypes

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .models import ReplyEmail

# What the disclosed files may weigh before they are linked instead of attached: base64 makes
# 10 MB about 13.5 MB on the wire, within what common mail servers (20–25 MB) accept.
MAX_ATTACHED_BYTES = 10 * 1024 * 1024


def message_id(email: ReplyEmail) -> str:
    return f"<sunshine-foi-reply-{email.pk}@{settings.NOTIFICATION_MAIL_DOMAIN}>"


def reply_message(email: ReplyEmail) -> tuple[EmailMessage, bool]:
    """The message, and whether the disclosed files travel in it (else they are linked)."""
    request = email.request
    files = list(request.attachments.order_by("pk"))
    letter = request.letter_pdf
    attach_files = letter.size + sum(item.file.size for item in files) <= MAX_ATTACHED_BYTES
    body = render_to_string(
        "foi/mail/reply.txt",
        {"foi": request, "email": email, "files": files, "attach_files": attach_files},
    )
    message = EmailMessage(
        _("政府信息公开申请答复书（受理编号：{number}）").format(number=request.number),
        body,
        to=[email.to],
        headers={"Message-ID": message_id(email)},
    )
    with letter.open("rb") as handle:
        message.attach(f"{request.number}.pdf", handle.read(), "application/pdf")
    if attach_files:
        for item in files:
            kind = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
            with item.file.open("rb") as handle:
                message.attach(item.name, handle.read(), kind)
    return message, attach_files
