"""Mutual TLS with a private CA (Skolfederation's Moa / FedTLS style): the fake SS 12000 server over
HTTPS asks for a client certificate; certificates are made in the test with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .ss12000_fake import Fake, serve
from .ss12000_source import build
from .test_sync_ss12000 import assert_refused, sync


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificate(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey,
                 *, ca: bool = False, server: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                      content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False,
                                                      encipher_only=False, decipher_only=False), critical=True)
    elif server:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _write(path: Path, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey | None = None) -> None:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("Exempelby privat CA", "Exempelby privat CA", ca_key, ca_key, ca=True)
    _write(tmp_path / "ca.pem", ca)
    _write(tmp_path / "server.pem", _certificate("127.0.0.1", "Exempelby privat CA", server_key, ca_key, server=True),
           server_key)
    _write(tmp_path / "client.pem", _certificate("portal", "Exempelby privat CA", client_key, ca_key), client_key)
    return tmp_path


@pytest.fixture
def tls_fake(pki: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.pem", pki / "server.key")
    context.load_verify_locations(pki / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no connection
    with serve(build(Fake()), ssl_context=context) as server:
        monkeypatch.setenv("PORTAL_SS12000_URL", server.url)
        yield server


def test_a_client_certificate_and_a_private_ca(app, runner, tls_fake, pki, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_CA_FILE", str(pki / "ca.pem"))
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_CERT", str(pki / "client.pem"))
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_KEY", str(pki / "client.key"))
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "9 personer" in result.stdout


def test_without_the_private_ca_the_server_is_not_trusted(app, runner, tls_fake, pki, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_CERT", str(pki / "client.pem"))
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_KEY", str(pki / "client.key"))
    assert_refused(sync(runner), "/organisations gick inte att läsa: TLS-anslutningen misslyckades")
    assert tls_fake.log == []


def test_without_a_client_certificate_the_server_refuses(app, runner, tls_fake, pki, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_CA_FILE", str(pki / "ca.pem"))
    result = sync(runner)
    assert_refused(result, "/organisations gick inte att läsa")
    assert tls_fake.log == []
