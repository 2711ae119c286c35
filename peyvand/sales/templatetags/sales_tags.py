"""Pieces of the sales pages built in Python (a lead's or a proforma's follow-up rows),
as `contacts.contact_row` is: per-value template lookups and lazy-aware escaping were
most of a busy page's time. The lists' rows are core.lists cells (sales.lists)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from peyvand.core.templatetags.peyvand import fa_datetime
from peyvand.sales.lists import payment_badge, quote_badge

register = template.Library()

# A proforma's and an invoice's state as badges, the same wherever shown.
register.filter("quote_badge", quote_badge)
register.filter("payment_badge", payment_badge)


def _url_maker(name: str):
    """A record's URL by primary key without a reverse() per row (fifty rows a page)."""
    marker = 987654321
    pattern = reverse(name, args=[marker])
    return lambda pk: pattern.replace(str(marker), str(pk))


@register.simple_tag
def followup_items(followups, can_make_tasks: bool, task_form: str) -> str:
    """The rows of a lead's or a proforma's follow-up card. «تبدیل به وظیفه» buttons post
    the card's one form (``task_form``, which carries the CSRF token) to their own URL."""
    task_url = _url_maker("sales:followup_task")
    task_edit_url = _url_maker("activities:task_edit")
    rows = []
    for followup in followups:
        head = [
            f'<span class="badge text-bg-light border">{escape(str(followup.result))}</span>',
            f"<span>{escape(fa_datetime(followup.at))}</span>",
        ]
        if followup.channel_id:
            head.append(
                '<span><i class="bi bi-broadcast" aria-hidden="true"></i> '
                f"{escape(str(followup.channel))}</span>"
            )
        if followup.person:
            head.append(f"<span>با {escape(followup.person)}</span>")
        head.append(f'<span class="ms-auto">{escape(str(followup.owner))}</span>')
        parts = [
            f'<li class="list-group-item" id="followup-{followup.pk}">'
            '<div class="d-flex flex-wrap gap-2 align-items-center small text-secondary">'
            f"{''.join(head)}</div>"
        ]
        if followup.description:
            parts.append(f"<div>{escape(followup.description).replace(chr(10), '<br>')}</div>")
        if followup.next_at:
            if followup.is_overdue:
                css = "text-danger fw-semibold"
            else:
                css = "text-primary" if followup.is_pending else "text-secondary"
            text = f"پیگیری بعدی {fa_datetime(followup.next_at)}"
            if followup.next_by_id:
                text += f" — با {followup.next_by}"
            if followup.referred_to_id:
                text += " (ارجاع)"
            parts.append(
                '<div class="small d-flex flex-wrap gap-2 align-items-center">'
                f'<span class="{css}"><i class="bi bi-alarm" aria-hidden="true"></i> '
                f"{escape(text)}</span></div>"
            )
        if followup.task_id:
            parts.append(
                f'<div class="small"><a href="{task_edit_url(followup.task_id)}">'
                '<i class="bi bi-check2-square" aria-hidden="true"></i> وظیفه ساخته شده</a></div>'
            )
        elif can_make_tasks:
            parts.append(
                f'<div class="small"><button class="btn btn-link btn-sm p-0" type="submit" '
                f'form="{escape(task_form)}" formaction="{task_url(followup.pk)}">'
                '<i class="bi bi-check2-square" aria-hidden="true"></i> تبدیل به وظیفه'
                "</button></div>"
            )
        parts.append("</li>")
        rows.append("".join(parts))
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
