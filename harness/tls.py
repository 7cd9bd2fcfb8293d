"""TLS for a test run: a certificate authority made for the run (``trustme``), the server
certificate it issues, and what each target needs to trust exactly that.

Every target trusts the run's CA (or its one server certificate) in its own way, never by
ignoring certificate errors at large:

- Chromium: ``--ignore-certificate-errors-spki-list`` with :attr:`RunCA.spki`, the hash of
  the server certificate's public key (that certificate alone; it needs a
  ``--user-data-dir``, which the harness always gives);
- Firefox: the CA in the test profile's own certificate store (:func:`add_to_nss`, NSS
  ``certutil`` from Debian's ``libnss3-tools``);
- WebKit (WebKitGTK): WebKitWebDriver's ``webkitgtk:browserOptions`` ``certificates``, which
  allows :attr:`RunCA.server_cert` (that certificate alone) for :data:`HOST`
  (``webkit_web_context_allow_tls_certificate_for_host``; see harness/webdriver.py);
- Node: ``NODE_EXTRA_CA_CERTS`` naming :attr:`RunCA.ca_cert`;
- CPython: ``ssl=`` :func:`client_context` (the scenarios pass it).

A second CA, made the same way and trusted by nobody, gives a server that every target must
refuse (an untrusted certificate).
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from harness.config import HOST

NAMES = (HOST, "localhost")
"""What the server certificate is valid for."""
CERTUTIL_TIMEOUT = 60.0
"""Hang guard for one certutil call."""


@dataclass(frozen=True)
class RunCA:
    """A CA made for one run, and the server certificate it issued, as files in a folder."""

    name: str
    ca_cert: Path
    """The CA's certificate (PEM): what a client is told to trust."""
    server_chain: Path
    """The server's certificate chain (PEM, leaf first): ``--tls-cert``."""
    server_cert: Path
    """The server's certificate alone (PEM), for WebKit, which trusts that certificate."""
    server_key: Path
    """Its private key (PEM): ``--tls-key``."""
    spki: str
    """base64(SHA-256(SubjectPublicKeyInfo)) of the server certificate, for Chromium."""

    def server_args(self) -> tuple[str, ...]:
        """The bundled server's flags to serve https and wss with this certificate."""
        return ("--tls-cert", str(self.server_chain), "--tls-key", str(self.server_key))

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this CA only (CPython's ``ssl=``)."""
        return ssl.create_default_context(cafile=str(self.ca_cert))


def make_ca(folder: Path, name: str = "pyws test CA") -> RunCA:
    """A new CA in ``folder`` (created if need be), and a server certificate for
    :data:`NAMES` that it issued."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name=name)
    leaf = ca.issue_cert(*NAMES)
    paths = RunCA(
        name=name,
        ca_cert=folder / "ca.pem",
        server_chain=folder / "server.pem",
        server_cert=folder / "server-cert.pem",
        server_key=folder / "server.key",
        spki=spki_hash(leaf.cert_chain_pems[0].bytes()),
    )
    ca.cert_pem.write_to_path(str(paths.ca_cert))
    with paths.server_chain.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    paths.server_cert.write_bytes(leaf.cert_chain_pems[0].bytes())
    leaf.private_key_pem.write_to_path(str(paths.server_key))
    return paths


def spki_hash(cert_pem: bytes) -> str:
    """What Chromium's ``--ignore-certificate-errors-spki-list`` takes for a certificate:
    the base64 of the SHA-256 of its DER SubjectPublicKeyInfo."""
    public_key = x509.load_pem_x509_certificate(cert_pem).public_key()
    der = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


def certutil_path() -> str:
    path = shutil.which("certutil")
    if not path:
        raise SystemExit("no NSS certutil: install libnss3-tools (make firefox)")
    return path


def add_to_nss(profile: Path, ca: RunCA) -> None:
    """Trust ``ca`` for TLS servers in the Firefox profile ``profile`` (its NSS store,
    ``cert9.db``, created if the profile has none yet)."""

    def certutil(*args: str) -> None:
        subprocess.run(
            [certutil_path(), *args, "-d", f"sql:{profile}"],
            check=True,
            capture_output=True,
            timeout=CERTUTIL_TIMEOUT,
        )

    if not (profile / "cert9.db").exists():
        certutil("-N", "--empty-password")
    certutil("-A", "-n", ca.name, "-t", "C,,", "-i", str(ca.ca_cert))
