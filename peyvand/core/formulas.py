"""Text a spreadsheet would run as a formula (CSV or formula injection, OWASP): a name
typed as ``=HYPERLINK("http://…","…")`` must reach Excel as the text it is. Every writer of
exported cells asks here: CSV prefixes such text with a single quote, as OWASP advises;
Excel sheets keep it as typed and mark the cell "quote prefix", so it stays text even when
edited."""

import re

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula; the full-width
# forms count too (a CJK-locale spreadsheet converts them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# A number or a phone number (-1500, +989121234567, +98 21 8877-6655): digits and the
# marks between them, nothing a formula could call or refer to. Left as they are.
_NUMBER = re.compile(r"[+-]?\d[\d ().,/+-]*\Z")


def runs_as_formula(text: str) -> bool:
    return text.startswith(_FORMULA_START) and _NUMBER.match(text) is None


def csv_text(value):
    """A CSV cell's value, a text that would run as a formula quoted to stay text."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value
