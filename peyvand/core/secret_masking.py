"""Keys out of logs: the API keys and merchant ids of the outside services this process
talks to (SMS providers, payment gateways) are registered here when a client is built,
and a filter on the HTTP client's loggers rewrites any record that holds one. A logger's
filter runs whatever the logger's level and before any handler, so raising "httpx" to
DEBUG (as a test or an operator may) still cannot put a key in a log."""

import logging
import threading
from urllib.parse import quote

# "httpx" logs "HTTP Request: POST <url> ..." at INFO (an SMS provider's key sits in its
# URL). httpcore's debug traces name only the method and host, but they are scrubbed too
# in case that changes.
HTTP_LOGGERS = ("httpx", "httpcore.http11", "httpcore.connection")

# The secrets registered in this process, raw and URL-quoted.
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def mask_secret(text: str, secret: str) -> str:
    """``text`` with ``secret`` replaced by its first four characters and "…" (by "…"
    alone when the secret is shorter than 8 characters, where 4 would give away half)."""
    if not secret:
        return text
    return text.replace(secret, secret[:4] + "…" if len(secret) >= 8 else "…")


def register_secret(secret: str) -> None:
    if not secret:
        return
    with _secrets_lock:
        _secrets.update({secret, quote(secret, safe="")})


def mask_secrets(text: str) -> str:
    """``text`` with every registered secret masked, the longest first (a key that
    contains another is masked whole)."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = mask_secret(text, secret)
    return text


class MaskSecretsFilter(logging.Filter):
    """Rewrites a record whose message holds a registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_secrets_in_logs(*names: str) -> None:
    """Puts the filter on these loggers (and the HTTP client's), once each."""
    for name in (*HTTP_LOGGERS, *names):
        target = logging.getLogger(name)
        if not any(isinstance(f, MaskSecretsFilter) for f in target.filters):
            target.addFilter(MaskSecretsFilter())
