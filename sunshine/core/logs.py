"""Logging filters."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused or missing page (4xx) is logged as one line: Django attaches the exception's
    traceback to it, which buries the server errors (5xx) an operator looks for."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
