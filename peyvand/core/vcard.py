"""vCard (.vcf), the format phones and mail programs exchange contacts in: reading cards
(versions 2.1, 3.0 and 4.0, as Android and iPhone export them) and writing 3.0 cards."""

import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?9\d{9}$")


@dataclass
class Card:
    name: str = ""
    company: str = ""
    title: str = ""
    mobiles: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str = ""
    note: str = ""


def _unfold(lines: Iterable[str]) -> Iterator[str]:
    """Joins continuation lines (a leading space or tab) and quoted-printable soft breaks."""
    current = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if current is not None and line[:1] in (" ", "\t"):
            current += line[1:]
            continue
        if current is not None and current.endswith("=") and "QUOTED-PRINTABLE" in current.upper():
            current = current[:-1] + line
            continue
        if current is not None:
            yield current
        current = line
    if current is not None:
        yield current


def _unescape(value: str) -> str:
    return (
        value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")
    ).replace("\\\\", "\\")


def _decode(params: list[str], value: str) -> str:
    upper = [param.upper() for param in params]
    if "ENCODING=QUOTED-PRINTABLE" in upper or "QUOTED-PRINTABLE" in upper:
        charset = next(
            (p.split("=", 1)[1] for p in params if p.upper().startswith("CHARSET=")), "utf-8"
        )
        return quopri.decodestring(value.encode("ascii", "ignore")).decode(charset, "replace")
    return value


def read_cards(lines: Iterable[str]) -> Iterator[Card]:
    card = None
    for line in _unfold(lines):
        if ":" not in line:
            continue
        head, value = line.split(":", 1)
        parts = head.split(";")
        name = parts[0].split(".")[-1].upper()  # "item1.TEL" → TEL
        params = parts[1:]
        if name == "BEGIN":
            card = Card()
            continue
        if card is None:
            continue
        if name == "END":
            yield card
            card = None
            continue
        text = _unescape(_decode(params, value)).strip()
        if name == "FN":
            card.name = text
        elif name == "N" and not card.name:
            family, given, *_rest = [*text.split(";"), "", ""]
            card.name = f"{given} {family}".strip()
        elif name == "ORG":
            card.company = text.split(";")[0]
        elif name == "TITLE":
            card.title = text
        elif name == "TEL":
            number = text.removeprefix("tel:")
            digits = re.sub(r"[\s\-()]", "", number)
            kinds = " ".join(params).upper()
            target = card.mobiles if "CELL" in kinds or _MOBILE.match(digits) else card.phones
            target.append(number)
        elif name == "EMAIL":
            card.emails.append(text)
        elif name == "ADR":
            card.address = "، ".join(part for part in text.split(";") if part.strip())
        elif name == "NOTE":
            card.note = text


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def write_card(card: Card) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{_escape(card.name)}",
        f"N:{_escape(card.name)};;;;",
    ]
    if card.company:
        lines.append(f"ORG:{_escape(card.company)}")
    if card.title:
        lines.append(f"TITLE:{_escape(card.title)}")
    lines += [f"TEL;TYPE=CELL:{number}" for number in card.mobiles]
    lines += [f"TEL;TYPE=WORK,VOICE:{number}" for number in card.phones]
    lines += [f"EMAIL;TYPE=INTERNET:{email}" for email in card.emails]
    if card.address:
        lines.append(f"ADR;TYPE=WORK:;;{_escape(card.address)};;;;")
    if card.note:
        lines.append(f"NOTE:{_escape(card.note)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
