"""Forms that open in a dialog over the page the user is on: the quick-create menu
(contact, lead, follow-up, task, request, call) and «ثبت تماس» on a contact.

The dialog frames the form's own page with ``?dialog=1``: the same view, widgets, checks
and Persian errors as the page, without the top bar and menu (base.html). Once saved,
``core.access.back_or`` sends the frame to ``core.views.dialog_saved``, which tells the
page beneath (static/peyvand/js/app.js) to close the dialog and show what was saved,
with a link to it; the user never left their page. Without JavaScript the same links open the form's
page and come back (``?next=``).

Pages refuse to be framed (X-Frame-Options DENY, CSP frame-ancestors 'none'); a view
marked ``opens_in_dialog`` allows its own site to frame it, only when asked to."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

DIALOG = "dialog"


def in_dialog(request: HttpRequest) -> bool:
    """Whether this page is shown in the dialog (its forms post to their own address,
    so a refused form stays in it)."""
    return request.GET.get(DIALOG) == "1"


def opens_in_dialog(view):
    """Lets this site frame the view's pages when they are asked for in the dialog."""

    @wraps(view)
    def framed(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if in_dialog(request):
            # XFrameOptionsMiddleware keeps a header already set; django-csp reads this.
            response["X-Frame-Options"] = "SAMEORIGIN"
            response._csp_replace = {"frame-ancestors": ["'self'"]}
        return response

    return framed


def saved_url(default) -> str:
    """Where a form saved in the dialog goes: the page that closes it, naming ``default``
    (the new record, or its list) for the link beside the message."""
    return f"{reverse('core:dialog_saved')}?{urlencode({'to': resolve_url(default), DIALOG: '1'})}"
