"""«Send to the customer» pages: a proforma, a pay link, a statement, a request's tracking
code. Each shows the message a colleague would write, to edit before it goes to the
outbox; what differs is the record, the text and what sending does. One page, one form
and one flow for all of them: a view says what it sends, ``draft_page`` does the rest."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.messaging.forms import DraftForm
from peyvand.messaging.models import Channel
from peyvand.messaging.services import NotSendable


@dataclass
class Draft:
    """What a send page shows around its form."""

    # "پیش فاکتور ۱۴۰۵-۰۰۱۲": the page says «ارسال پیامک/ایمیل {what} به {to_name}».
    what: str
    to_name: str
    # Where the user came from: the breadcrumb's links before «ارسال», and «انصراف».
    crumbs: list[tuple[str, str]]
    back_url: str
    # What the customer receives (a PDF attached, a link that opens for 30 days…).
    note: str
    # The message once queued (the user goes back to ``back_url``).
    sent: str

    def title(self, channel: str) -> str:
        by = _("پیامک") if channel == Channel.SMS else _("ایمیل")
        return _("ارسال %(by)s %(what)s به %(to)s") % {
            "by": by,
            "what": self.what,
            "to": self.to_name,
        }


def draft_page(
    request: HttpRequest,
    *,
    channel: str,
    initial: Callable[[], dict],
    draft: Callable[[], Draft],
    send: Callable[[dict], object],
) -> HttpResponse:
    """The page: ``initial()`` fills the form (to, subject, body) for the channel;
    ``send(data)`` queues the edited message, or raises NotSendable with the reason in
    Persian, shown on the form with what the user typed kept."""
    if channel not in Channel.values:
        raise Http404
    form = DraftForm(request.POST or None, initial=initial(), channel=channel)
    page = draft()
    if request.method == "POST" and form.is_valid():
        try:
            send({"subject": "", **form.cleaned_data})
        except NotSendable as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, page.sent)
            return redirect(page.back_url)
    context = {"form": form, "draft": page, "channel": channel, "title": page.title(channel)}
    return render(request, "messaging/draft_send.html", context)
