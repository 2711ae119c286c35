"""The Content-Security-Policy (README, «Production»): every response carries the strict
policy, and no template a browser renders needs 'unsafe-inline' — no inline handlers,
style attributes, <style> blocks or executable inline scripts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peyvand.core.models import Attachment

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

TEMPLATE_ROOTS = [
    Path(settings.BASE_DIR) / "templates",
    *Path(settings.BASE_DIR).glob("peyvand/*/templates"),
]
# Never served to a browser, so the policy does not apply and they keep their <style>:
# WeasyPrint sets the PDFs on the server (core.pdf) from these, and mail programs,
# which ignore stylesheets, read the email (messaging.outbox) and need its style="…".
NOT_FOR_BROWSERS = {
    "core/list_pdf.html",
    "core/_pdf_fonts.html",
    "reports/pdf.html",
    "sales/document_pdf.html",
    "finance/statement_pdf.html",
    "messaging/email.html",
}

INLINE_HANDLER = re.compile(r"""[\s"']on[a-z]+\s*=""", re.IGNORECASE)
HTMX_EVAL = re.compile(
    r"""\shx-on[:-]|\shx-(?:vals|vars)\s*=\s*["']\s*js:|javascript:""", re.IGNORECASE
)
STYLE_ATTRIBUTE = re.compile(r"""[\s"']style\s*=""", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_SCRIPT = re.compile(r"""\stype\s*=\s*["']application/json["']""", re.IGNORECASE)
EXTERNAL_SCRIPT = re.compile(r"\ssrc\s*=", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    """What in this template text the policy would block."""
    problems = []
    if INLINE_HANDLER.search(text):
        problems.append("an inline event handler (on…=)")
    if HTMX_EVAL.search(text):
        problems.append("code htmx or the browser would evaluate (hx-on, js:, javascript:)")
    if STYLE_ATTRIBUTE.search(text):
        problems.append("a style attribute")
    if STYLE_BLOCK.search(text):
        problems.append("a <style> block")
    for attributes in SCRIPT_TAG.findall(text):
        if not (EXTERNAL_SCRIPT.search(attributes) or DATA_SCRIPT.search(attributes)):
            problems.append("an inline <script> (use a file, or json_script for data)")
    return problems


def browser_templates() -> list[tuple[str, Path]]:
    found = []
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            if name not in NOT_FOR_BROWSERS:
                found.append((name, path))
    return found


def policy_of(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {directive[0]: directive[1:] for directive in directives if directive}


@pytest.mark.parametrize(
    "snippet",
    [
        "<form onsubmit=\"return confirm('?')\">",
        "<select class=\"x\" onchange='this.form.submit()'>",
        '<div class="card" style="max-width: 40rem">',
        "<style>.x { color: red }</style>",
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<button hx-on:click="go()">',
        "<div hx-vals='js:{a: 1}'>",
        '<a href="javascript:void(0)">',
    ],
)
def test_the_scan_finds_what_the_policy_blocks(snippet):
    assert inline_code(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/peyvand/js/app.js"></script>',
        '<script id="chart" type="application/json">{"a": 1}</script>',
        '<form data-confirm="حذف شود؟"><select data-autosubmit>',
        '<div class="mw-40rem" data-width="42">',
        "<p>پیوند: کارت ویزیت style را ندارد</p>",
    ],
)
def test_the_scan_lets_the_allowed_through(snippet):
    assert inline_code(snippet) == []


def test_the_templates_for_pdfs_and_email_exist():
    """The exclusions name real files (a renamed one would otherwise go unscanned)."""
    root = Path(settings.BASE_DIR) / "templates"
    assert all((root / name).is_file() for name in NOT_FOR_BROWSERS)


def test_no_browser_template_needs_unsafe_inline():
    templates = browser_templates()
    assert len(templates) > 100
    offenders = {
        name: problems for name, path in templates if (problems := inline_code(path.read_text()))
    }
    assert offenders == {}


def test_no_python_code_gives_a_widget_a_style_or_handler_attribute():
    """Form widgets and format_html write HTML too: attrs["style"], {"onclick": …}."""
    events = r"click|dblclick|change|submit|input|focus|blur|load|key\w+|mouse\w+"
    name = rf"""["'](?:style|on(?:{events}))["']"""
    attribute = re.compile(rf"\[\s*{name}\s*\]|{name}\s*:")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in (Path(settings.BASE_DIR) / "peyvand").rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if attribute.search(line) or (STYLE_ATTRIBUTE.search(line) and "<" in line)
    ]
    assert offenders == []


def test_our_javascript_evaluates_no_strings_and_writes_no_style_attributes():
    for path in (Path(settings.BASE_DIR) / "static" / "peyvand" / "js").glob("*.js"):
        text = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style", text), path
        assert not re.search(r"setTimeout\(\s*[\"']|style=", text), path


@pytest.mark.django_db
def test_pages_carry_the_strict_policy(client, personas):
    assert policy_of(client.get(reverse("accounts:login"))) == POLICY
    client.force_login(personas.manager)
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert policy_of(home) == POLICY
    assert "unsafe" not in home["Content-Security-Policy"]
    assert policy_of(client.get("/no-such-page/")) == POLICY


@pytest.mark.django_db
def test_attachments_keep_their_own_stricter_policy(client, personas, contact):
    client.force_login(personas.owner)
    client.post(
        reverse("core:attachment_upload", args=["contacts.contact", contact.pk]),
        {"file": [SimpleUploadedFile("نامه.pdf", b"%PDF-1.4\n%test\n")]},
    )
    response = client.get(reverse("core:attachment", args=[Attachment.objects.get().pk]))
    b"".join(response.streaming_content)  # read to the end, which closes the file
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'"
