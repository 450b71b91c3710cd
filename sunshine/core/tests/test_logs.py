import logging

import pytest


@pytest.mark.django_db
def test_a_refused_page_is_one_line_and_a_server_error_keeps_its_traceback(client, caplog):
    """caplog sits on the root logger, which django.request does not reach: listen there."""
    caplog.set_level(logging.WARNING)
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)
    try:
        client.get("/supervision/")  # anonymous: sent to sign in, nothing logged
        client.force_login(_citizen())
        assert client.get("/supervision/").status_code == 403
        refused = [r for r in caplog.records if r.name == "django.request"]
        assert refused and all(r.exc_info is None for r in refused)
        caplog.clear()
        try:
            raise RuntimeError("boom")
        except RuntimeError as error:
            logger.error("Internal Server Error", exc_info=error, extra={"status_code": 500})
        assert caplog.records[-1].exc_info is not None
    finally:
        logger.removeHandler(caplog.handler)


def _citizen():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="13800009999", password="x" * 12)
