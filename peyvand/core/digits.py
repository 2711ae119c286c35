"""One display rule for digits and direction, for every output a person reads.

Everything is stored with Latin digits (typed text is normalised on the way in:
``core.text.normalize_typed_digits``, applied to every form by ``core.apps`` and to the API's
bodies by ``api.schemas``). What a person reads is turned into their digits here, once,
at the edge: an HTML page or htmx fragment (``DigitsMiddleware`` through
``localize_html``), a PDF (``core.pdf.render_pdf``), an e-mail's HTML and plain-text
parts, an SMS, a notification (``localize_text``).

The same rule isolates left-to-right runs inside right-to-left text — a phone number
written with spaces or a leading +, an IBAN, a code of letters and digits — with the
Unicode isolates U+2066 (LRI) … U+2069 (PDI), so that a number is never shown reversed.

HTML is rewritten with regular expressions over the document, not a DOM parse: a list
page of a few hundred kilobytes takes a few milliseconds (numbers in the README).
What is converted: text nodes, a textarea's content, and the attributes a person reads
(``placeholder``, ``title``, ``aria-label``, ``alt``, ``label``, the ``value`` of a
visible text-like input). What is not: ``<script>``, ``<style>``, ``<pre>``, ``<code>``,
any element marked ``data-latin`` (and everything inside it), HTML entities, e-mail
addresses and URLs inside text, and every other attribute (``href``, ``data-*``, an
option's ``value`` — those are sent back or read by code).
"""

import re

from peyvand.core.text import to_persian_digits

LRI = "\u2066"
PDI = "\u2069"

_DIGIT = "0-9\u06f0-\u06f9\u0660-\u0669"

# In plain text: the parts whose digits stay as they are. An entity (&#39;) matters only
# in HTML but never occurs in plain text with a meaning of its own.
_PROTECTED = re.compile(
    r"&#?[A-Za-z0-9]+;"
    r"|(?:https?|ftp)://[^\s<>\"']+"
    r"|www\.[^\s<>\"']+"
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",
)
_LATIN_DIGIT = re.compile("[0-9]")
_ANY_DIGIT = re.compile(f"[{_DIGIT}]")

# Left-to-right runs. A phone number written in groups (0935 111 2233) or with its
# country code (+98 912…, +98912…): in right-to-left text each group would be laid out
# right to left and the + would go to the other end. A date (1405/09/13), an amount
# (690٬000٬000) or a number joined by hyphens (021-8877) reads right already: not touched.
_BEFORE = rf"(?<![\w/:.,٬٫@{LRI}+\-])"
_AFTER = rf"(?![\w/:,٬٫@{PDI}\-]|\.[{_DIGIT}])"
_LTR_RUN = re.compile(
    _BEFORE
    + "(?:"
    # an IBAN, grouped or not
    + rf"IR[{_DIGIT}]{{2}}(?: ?[{_DIGIT}]{{4}}){{5}} ?[{_DIGIT}]{{2}}"
    # a phone number with its country code
    + rf"|\+[{_DIGIT}]+(?:[ \-][{_DIGIT}]+)*"
    # a phone number in groups separated by spaces (hyphens may join groups too)
    + rf"|[{_DIGIT}]+(?:-[{_DIGIT}]+)*(?: [{_DIGIT}]+(?:-[{_DIGIT}]+)*)+"
    # a code of Latin letters and digits: L140500025, REQ-1405-0008, INV/1405/2
    + rf"|[A-Za-z]+(?:[\-/_]?[A-Za-z{_DIGIT}]+)*"
    + ")"
    + _AFTER
)
_MIN_PHONE_DIGITS = 7


def _is_ltr_run(run: str) -> bool:
    digits = sum(char.isdigit() for char in run)
    if run[0].isalpha():
        # A code needs a digit: a word of Latin letters alone is no token of ours.
        return digits > 0
    return digits >= _MIN_PHONE_DIGITS


def _isolate(match: re.Match) -> str:
    run = match.group(0)
    return f"{LRI}{run}{PDI}" if _is_ltr_run(run) else run


_ISOLATED = re.compile(f"{LRI}[^{LRI}{PDI}]*{PDI}")


def isolate_ltr_runs(text: str) -> str:
    """``text`` with its phone numbers, IBANs and codes wrapped in LRI … PDI. Runs
    already isolated are left alone (the rule may see its own output)."""
    if LRI not in text:
        return _LTR_RUN.sub(_isolate, text)
    out = []
    at = 0
    for match in _ISOLATED.finditer(text):
        out.append(_LTR_RUN.sub(_isolate, text[at : match.start()]))
        out.append(match.group(0))
        at = match.end()
    out.append(_LTR_RUN.sub(_isolate, text[at:]))
    return "".join(out)


def _free_parts(text: str, convert, isolate: bool) -> str:
    """``convert`` (and the isolation) applied to the parts of ``text`` outside URLs,
    e-mail addresses and entities."""
    if "&" not in text and "@" not in text and "://" not in text and "www." not in text:
        return isolate_ltr_runs(convert(text)) if isolate else convert(text)
    out = []
    at = 0
    for match in _PROTECTED.finditer(text):
        free = text[at : match.start()]
        out.append(isolate_ltr_runs(convert(free)) if isolate else convert(free))
        out.append(match.group(0))
        at = match.end()
    free = text[at:]
    out.append(isolate_ltr_runs(convert(free)) if isolate else convert(free))
    return "".join(out)


# A thousands comma between digit groups («12,500,000» stored by a service): read in
# Persian with the Arabic thousands separator, as amounts are everywhere else. Text
# only: a form's value goes back as typed, so there only the digits change.
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")


def _persian_reading(text: str) -> str:
    return to_persian_digits(_THOUSANDS.sub("\u066c", text))


def localize_text(text: str, *, isolate: bool = True) -> str:
    """Plain text as a reader with Persian digits should read it: its digits Persian
    outside URLs and e-mail addresses, its left-to-right runs isolated. Idempotent."""
    if not text:
        return text
    if not _ANY_DIGIT.search(text) or (not isolate and not _LATIN_DIGIT.search(text)):
        return text
    return _free_parts(text, _persian_reading, isolate)


_GSM_ONLY = re.compile(r"[\x00-\x7f£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€]*")


def localize_sms(text: str, *, one_time_code: bool = False) -> str:
    """An SMS as the recipient reads it: Persian digits outside URLs — when the text is
    Persian. A text of Latin letters alone goes in the cheaper GSM alphabet, which has
    no Persian digits (converting would make it UCS-2 and cost parts), and a sign-in
    code's digits stay as typed on the phone's keypad (autofill reads Latin ones). No
    isolates: they would count against the parts the composer showed."""
    if one_time_code or _GSM_ONLY.fullmatch(text):
        return text
    return localize_text(text, isolate=False)


def keeps_typed_digits(widget) -> bool:
    """A form widget whose value is taken exactly as typed: a password, or anything
    marked ``data-latin`` (a key, a certificate), which pages also show as it is."""
    from django import forms

    return isinstance(widget, forms.PasswordInput) or "data-latin" in widget.attrs


# --- HTML -----------------------------------------------------------------------------

# Attributes inside a tag, quotes respected (a value may hold ">"), unrolled for speed.
_ATTRS = r"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""
_HTML_TOKEN = re.compile(
    rf"<(?:"
    rf"(?P<name>[A-Za-z][A-Za-z0-9:\-]*)(?P<attrs>{_ATTRS})>"
    rf"|/(?P<close>[A-Za-z][A-Za-z0-9:\-]*)[^>]*>"
    rf"|!--.*?-->"
    rf"|![^>]*>"
    rf")",
    re.S,
)
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "textarea")}
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
    ]
)
_SKIP_ELEMENTS = frozenset(("pre", "code"))
_LATIN_ATTR = re.compile(r"\sdata-latin(?:[\s=/]|$)", re.I)
_LTR_ATTR = re.compile(r"\sdir\s*=\s*[\"']?ltr\b", re.I)
_TYPE_ATTR = re.compile(r"\stype\s*=\s*[\"']?([A-Za-z\-]+)", re.I)
_READ_ATTRS = re.compile(
    r"(\s(?:placeholder|title|aria-label|aria-valuetext|alt|label|data-confirm)\s*=\s*)"
    r"(\"[^\"]*\"|'[^']*')",
    re.I,
)
_VALUE_ATTR = re.compile(r"(\svalue\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)", re.I)
# Inputs whose value a person reads and types; a hidden, password, e-mail, URL or number
# input (and a date or colour one) keeps what the browser or the server needs.
_TEXT_INPUTS = frozenset(("text", "search", "tel"))

NORMAL, LTR, SKIP = 0, 1, 2


def _digits_in(value: str) -> str:
    return _free_parts(value, to_persian_digits, False) if _LATIN_DIGIT.search(value) else value


def _text_node(text: str, mode: int) -> str:
    if mode == SKIP or not _ANY_DIGIT.search(text):
        return text
    if mode == LTR:
        return _digits_in(text)
    return _free_parts(text, _persian_reading, True)


# Attributes laid out on screen (a tooltip, a placeholder, a confirm dialog): their phone
# numbers and codes are isolated like text. The others are spoken (aria-label, alt):
# direction means nothing there, and a screen reader's label is matched as it is.
_SHOWN_ATTR = re.compile(r"\s(?:placeholder|title|data-confirm)\s*=", re.I)


def _read_attr(match: re.Match) -> str:
    value = match.group(2)
    if not _LATIN_DIGIT.search(value):
        return match.group(0)
    shown = _SHOWN_ATTR.match(match.group(1)) is not None
    return match.group(1) + _free_parts(value, to_persian_digits, shown)


def _value_attr(match: re.Match) -> str:
    """An input's value: sent back as typed, so only its digits change (no isolates)."""
    return match.group(1) + _digits_in(match.group(2))


_READ_DIGIT = re.compile(
    r"\s(?:placeholder|title|aria-label|aria-valuetext|alt|label|data-confirm|value)\s*=\s*"
    r"(?:\"[^\"]*[0-9]|'[^']*[0-9]|[0-9])",
    re.I,
)


def _attributes(name: str, attrs: str) -> str:
    """The attributes of a tag with the ones people read in Persian digits; the same
    string object when nothing changes."""
    if _READ_DIGIT.search(attrs) is None:
        return attrs
    attrs = _READ_ATTRS.sub(_read_attr, attrs)
    if name == "input":
        kind = _TYPE_ATTR.search(attrs)
        if (kind.group(1).lower() if kind else "text") in _TEXT_INPUTS:
            attrs = _VALUE_ATTR.sub(_value_attr, attrs)
    return attrs


def localize_html(document: str) -> str:
    """An HTML page or fragment as a reader with Persian digits reads it (see the module
    docstring). Idempotent; a fragment (htmx) is handled like a page."""
    out: list[str] = []
    append = out.append
    # Open elements that change the mode: [name, depth of same-named elements, mode].
    stack: list[list] = []
    mode = NORMAL
    at = 0
    length = len(document)
    search = _HTML_TOKEN.search
    while at < length:
        token = search(document, at)
        if token is None:
            break
        start = token.start()
        if start > at:
            append(_text_node(document[at:start], mode))
        at = token.end()
        name = token.group("name")
        if name is None:
            close = token.group("close")
            if close is not None and stack:
                close = close.lower()
                top = stack[-1]
                if top[0] == close:
                    top[1] -= 1
                    if not top[1]:
                        stack.pop()
                        mode = stack[-1][2] if stack else NORMAL
            append(token.group(0))  # a closing tag, comment or doctype
            continue
        name = name.lower()
        attrs = token.group("attrs")
        if name in _RAW_END:
            end = _RAW_END[name].search(document, at)
            body_end, at = (end.start(), end.end()) if end else (length, length)
            body = document[token.end() : body_end]
            if name == "textarea" and mode != SKIP and not _LATIN_ATTR.search(attrs):
                new = _attributes(name, attrs)
                append(token.group(0) if new is attrs else f"<{token.group('name')}{new}>")
                append(_digits_in(body))
            else:
                append(token.group(0))
                append(body)
            append(document[body_end:at])
            continue
        if (
            mode == SKIP
            or name in _SKIP_ELEMENTS
            or ("data-latin" in attrs and _LATIN_ATTR.search(attrs) is not None)
        ):
            own = SKIP
        elif name == "bdi" or ("dir" in attrs and _LTR_ATTR.search(attrs) is not None):
            own = LTR
        else:
            own = NORMAL
        new = attrs if own == SKIP else _attributes(name, attrs)
        append(token.group(0) if new is attrs else f"<{token.group('name')}{new}>")
        if name in _VOID or attrs.endswith("/"):
            continue
        if own > mode:
            mode = own
            stack.append([name, 1, mode])
        elif stack and stack[-1][0] == name:
            stack[-1][1] += 1
    if at < length:
        append(_text_node(document[at:], mode))
    return "".join(out)


def wants_persian_digits() -> bool:
    """Whether the current reader (request, or the default for work outside one) reads
    Persian digits."""
    from peyvand.core.display import current_preferences

    return current_preferences().digits == "fa"


def localize_html_for_reader(document: str) -> str:
    return localize_html(document) if wants_persian_digits() else document


def localize_text_for_reader(text: str) -> str:
    return localize_text(text) if wants_persian_digits() else text


def reads_persian_digits(user) -> bool:
    """A signed-in user's own preference; everyone else (the sign-in page, the public
    tracking page, the portal's customers) reads Persian digits."""
    if user is None or not user.is_authenticated:
        return True
    return getattr(user, "digits", "fa") == "fa"


def localize_label(text: str) -> str:
    """A short label outside a page (an Excel sheet's name or column header): digits in
    the reader's preference, no isolates."""
    return localize_text(text, isolate=False) if wants_persian_digits() else text


class DigitsMiddleware:
    """Every HTML answer (page or htmx fragment) in the reader's digits. Streamed
    answers (exports) are left alone: they are files, not pages. A view may set
    ``response.persian_digits = True`` for a page printed in Persian digits whoever
    reads it (the official invoice layout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.has_header("Content-Disposition")
        ):
            return response
        if not getattr(response, "persian_digits", False) and not reads_persian_digits(
            getattr(request, "user", None)
        ):
            return response
        charset = response.charset
        try:
            page = response.content.decode(charset)
        except UnicodeDecodeError:  # not a page we wrote: left as it is
            return response
        response.content = localize_html(page).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
