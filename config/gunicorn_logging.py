"""gunicorn's logger with receipts scrubbed from its access and error lines.

``config/gunicorn.py`` names it as ``logger_class``. gunicorn builds its own handlers (in
``setup``, again on every log reopen), outside Django's ``LOGGING``: the filter is added
to each of them there.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from config.logging import ReceiptFilter


class ScrubbingLogger(glogging.Logger):
    """gunicorn's logger; every handler of its access and error logs drops receipts."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(ReceiptFilter())
