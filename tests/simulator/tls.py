"""A throwaway certificate authority and a server certificate for this run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class TlsFiles:
    ca_path: Path  # the CA bundle clients verify against
    server_pem_path: Path  # the server's key and certificate chain


def create_tls_files(workdir: Path) -> TlsFiles:
    """A new CA (written to ``ca.pem``) and a certificate it signs for 127.0.0.1, ::1 and localhost."""
    authority = trustme.CA(organization_name="csp.onboarding simulator")
    server = authority.issue_cert("127.0.0.1", "::1", "localhost")
    files = TlsFiles(workdir / "ca.pem", workdir / "server.pem")
    authority.cert_pem.write_to_path(str(files.ca_path))
    server.private_key_and_cert_chain_pem.write_to_path(str(files.server_pem_path))
    os.chmod(files.server_pem_path, 0o600)
    return files
