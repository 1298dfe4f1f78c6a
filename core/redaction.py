"""Capability URLs never reach a log.

Several URLs of this service are secrets in themselves: a share link (``/shared/{secret}``), claim,
sign-up confirmation and address verification links, a credential's verification page
(``/credentials/{id}``, an unguessable id the learner chooses to share). Anyone who reads a log that
holds one can use it. Rather than a list of such routes, which a new route could miss, every run of
`MIN_SECRET_LENGTH` or more URL-safe characters in a logged path or query is replaced: each secret and id
this service puts in a URL is one (`core.db.new_id`: 32 hex digits; link secrets: 43 base64url
characters), and no route's own words are that long (tests/core/test_redaction.py checks every route).
The price is that ids of public documents (a provider's DID document) are hidden from the log too.
"""

from __future__ import annotations

import logging
import re

__all__ = ["REDACTED", "RedactCapabilityUrls", "install_access_log_redaction", "redact"]

MIN_SECRET_LENGTH = 20
REDACTED = "[redacted]"
_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_SECRET_LENGTH},}}")
#: uvicorn's access log: ``'%s - "%s %s HTTP/%s" %d'`` with (client, method, path and query, version, status).
_ACCESS_LOGGER = "uvicorn.access"
_PATH_ARGUMENT = 2


def redact(target: str) -> str:
    """A request target (path and query) with every secret-looking run of characters replaced."""
    return _SECRET.sub(REDACTED, target)


class RedactCapabilityUrls(logging.Filter):
    """Redacts the request target of uvicorn's access log records (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARGUMENT:
            target = args[_PATH_ARGUMENT]
            if isinstance(target, str):
                record.args = (*args[:_PATH_ARGUMENT], redact(target), *args[_PATH_ARGUMENT + 1 :])
        return True


def install_access_log_redaction() -> None:
    """Put the filter on uvicorn's access logger (once). Logging configuration keeps a logger's filters,
    so this holds whether uvicorn configures its logging before or after the app is built."""
    logger = logging.getLogger(_ACCESS_LOGGER)
    if not any(isinstance(existing, RedactCapabilityUrls) for existing in logger.filters):
        logger.addFilter(RedactCapabilityUrls())
