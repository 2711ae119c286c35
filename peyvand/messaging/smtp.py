"""The outgoing mail server: the environment's EMAIL_* settings when EMAIL_HOST is set
(deployments that keep configuration there), the settings page's otherwise
(messaging.models.SmtpSettings, once its server is filled in), and Django's
EMAIL_BACKEND (the console, in development) when neither is."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend
from django.utils.translation import gettext as _

from peyvand.messaging.models import SmtpSettings
from peyvand.messaging.servers import network_problem


class SmtpUnavailable(Exception):
    """The mail server cannot be used; the message says why in Persian."""


def from_environment() -> bool:
    return bool(str(getattr(settings, "EMAIL_HOST", "") or "").strip())


def saved_server() -> SmtpSettings | None:
    """The settings page's server, when it is the one in use."""
    if from_environment():
        return None
    saved = SmtpSettings.objects.filter(pk=1).first()
    return saved if saved is not None and saved.host.strip() else None


def _backend(saved: SmtpSettings) -> EmailBackend:
    return EmailBackend(
        host=saved.host.strip(),
        port=saved.port,
        username=saved.username,
        password=saved.password,
        use_tls=saved.security == SmtpSettings.Security.STARTTLS,
        use_ssl=saved.security == SmtpSettings.Security.SSL,
        timeout=int(getattr(settings, "EMAIL_TIMEOUT", 20) or 20),
        fail_silently=False,
    )


def email_connection() -> tuple[BaseEmailBackend, str]:
    """A connection to the mail server in use (not yet opened), and the From of emails
    that come from no mailbox."""
    saved = saved_server()
    if saved is None:
        return get_connection(fail_silently=False), settings.DEFAULT_FROM_EMAIL
    return _backend(saved), saved.from_email or settings.DEFAULT_FROM_EMAIL


def check_server(saved: SmtpSettings, *, send_to: str = "") -> str:
    """«آزمایش اتصال»: connects, secures and signs in as saved; with ``send_to``, also
    sends a short email there (a server that refuses our From says so only then).
    Returns what worked in Persian; raises SmtpUnavailable saying what failed."""
    where = f"{saved.host}:{saved.port}"
    connection = _backend(saved)
    try:
        connection.open()
        if send_to:
            email = EmailMultiAlternatives(
                subject=_("ایمیل آزمایشی پیوند"),
                body=_("این ایمیل برای آزمایش تنظیمات سرور ایمیل فرستاده شده است."),
                from_email=saved.from_email or settings.DEFAULT_FROM_EMAIL,
                to=[send_to],
                connection=connection,
            )
            email.send()
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpUnavailable(_("سرور ایمیل نام کاربری یا رمز عبور را نپذیرفت.")) from error
    except smtplib.SMTPNotSupportedError as error:
        raise SmtpUnavailable(
            _("سرور %(where)s این کار را پشتیبانی نمی‌کند (%(error)s)؛ رمزنگاری را بررسی کنید.")
            % {"where": where, "error": error}
        ) from error
    except smtplib.SMTPSenderRefused as error:
        raise SmtpUnavailable(
            _("سرور ایمیل نشانی فرستنده «%(sender)s» را نپذیرفت.") % {"sender": error.sender}
        ) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise SmtpUnavailable(
            _("سرور ایمیل نشانی «%(to)s» را نپذیرفت.") % {"to": send_to}
        ) from error
    except smtplib.SMTPServerDisconnected as error:
        raise SmtpUnavailable(
            _("سرور %(where)s پیش از پایان گفتگو اتصال را بست؛ درگاه و رمزنگاری را بررسی کنید.")
            % {"where": where}
        ) from error
    except smtplib.SMTPException as error:
        raise SmtpUnavailable(
            _("سرور %(where)s پاسخ SMTP درستی نداد: %(error)s") % {"where": where, "error": error}
        ) from error
    except OSError as error:
        raise SmtpUnavailable(network_problem(error, where)) from error
    finally:
        connection.close()
    if send_to:
        return _("اتصال و ورود انجام شد و ایمیل آزمایشی به %(to)s فرستاده شد.") % {"to": send_to}
    return _("اتصال و ورود به سرور ایمیل انجام شد.")
