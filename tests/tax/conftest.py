"""Keys, certificates and invoices for the Moadian tests, made here with ``cryptography``
(no key file is committed). Times are fixed: the client and the fake each read their own
clock, set to the same instant, so nothing depends on when the tests run."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from peyvand.tax.client import MoadianClient
from peyvand.tax.fake_moadian import FakeMoadian
from peyvand.tax.taxid import day_number, tax_id

MEMORY_ID = "A11216"
NOW = datetime(2025, 5, 10, 8, 0, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(hours=2)


@dataclass(frozen=True)
class Pair:
    key_pem: str
    certificate_pem: str
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


def make_pair(
    name: str = "شرکت نمونه",
    *,
    key: rsa.RSAPrivateKey | None = None,
    valid_from: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    valid_days: int = 365,
) -> Pair:
    """A self-signed signing certificate, as the fake accepts (the real service wants
    one from an Iranian intermediate CA)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "14003778990"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IR"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return Pair(key_pem, certificate_pem, key, certificate)


@pytest.fixture(scope="session")
def taxpayer() -> Pair:
    return make_pair()


@pytest.fixture(scope="session")
def stranger() -> Pair:
    """Another valid pair, not registered for our memory id."""
    return make_pair("شرکت دیگر")


@pytest.fixture(scope="session")
def server_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(taxpayer, server_key) -> Iterator[FakeMoadian]:
    with FakeMoadian(
        taxpayers={MEMORY_ID: [taxpayer.certificate_pem]},
        clock=lambda: NOW,
        server_key=server_key,
    ) as f:
        yield f


def build_client(pair: Pair, url: str, **changes) -> MoadianClient:
    options = {
        "memory_id": MEMORY_ID,
        "private_key_pem": pair.key_pem,
        "certificate_pem": pair.certificate_pem,
        "base_url": url,
        "timeout": 3.0,
        "clock": lambda: NOW,
    } | changes
    return MoadianClient(**options)


@pytest.fixture
def client(taxpayer, fake) -> Iterator[MoadianClient]:
    with build_client(taxpayer, fake.url) as built:
        yield built


def invoice(serial: int = 1, *, issued: datetime = ISSUED, **header_changes) -> dict:
    """A type-1 sale of pattern 1 shaped like the organisation's RC_TICS p.20 example:
    2 × 10,000 rials, 500 off, 9% VAT."""
    indatim = int(issued.timestamp() * 1000)
    taxid = tax_id(MEMORY_ID, day_number(indatim), serial)
    header = {
        "taxid": taxid,
        "inno": taxid[11:21],
        "indatim": indatim,
        "inty": 1,
        "inp": 1,
        "ins": 1,
        "tins": "14003778990",
        "tob": 2,
        "bid": "10101010101",
        "tinb": "10101010101",
        "tprdis": 20000,
        "tdis": 500,
        "tadis": 19500,
        "tvam": 1755,
        "todam": 0,
        "tbill": 21255,
        "setm": 1,
        "irtaxid": None,
    } | header_changes
    line = {
        "sstid": "2330001234567",
        "sstt": "خدمات پشتیبانی نرم‌افزار",
        "mu": "164",
        "am": 2,
        "fee": 10000,
        "prdis": 20000,
        "dis": 500,
        "adis": 19500,
        "vra": 9,
        "vam": 1755,
        "tsstam": 21255,
    }
    return {"header": header, "body": [line], "payments": []}
