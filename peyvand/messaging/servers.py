"""What went wrong reaching a mail server (IMAP or SMTP), said in Persian for the person
who set it up: the settings pages' «آزمایش اتصال» and a mailbox's last reading."""

from __future__ import annotations

import socket
import ssl

from django.utils.translation import gettext as _


def network_problem(error: OSError, where: str) -> str:
    """What failed reaching the server (the secure connection, a timeout, the network),
    in words; the protocol's own refusals the caller words. The server's address stays
    left to right inside the Persian sentence."""
    where = f"\u2066{where}\u2069"
    if isinstance(error, socket.gaierror):
        return _("نشانی سرور %(where)s پیدا نشد؛ نام سرور را بررسی کنید.") % {"where": where}
    if isinstance(error, ConnectionRefusedError):
        return _("سرور %(where)s اتصال را نپذیرفت؛ نشانی و درگاه را بررسی کنید.") % {"where": where}
    if isinstance(error, ssl.SSLError):
        return _("اتصال امن (TLS) با %(where)s برقرار نشد: %(error)s") % {
            "where": where,
            "error": error.reason or error,
        }
    if isinstance(error, TimeoutError):
        return _("سرور %(where)s در زمان مقرر پاسخ نداد.") % {"where": where}
    return _("به سرور %(where)s وصل نشد (%(error)s)؛ نشانی و درگاه را بررسی کنید.") % {
        "where": where,
        "error": error.strerror or error,
    }
