"""The emulator's listeners: plain HTTP, and TLS on loopback with the local certificate.

Every AWS client of the local run and of the Terraform apply reaches the emulator over TLS (``aws:SecureTransport``
is then true, as it is on AWS, and the platform's TLS-only bucket policies hold: emulator_bucket_policy.py), and
each verifies the certificate: a self-signed certificate for 127.0.0.1 made once under ~/.cache/sentinel/tls
(local/emulator/loopback-tls.ts) that the clients are given as an extra trusted CA. The plain listener stays for the
emulator's own control API (``/moto-api``) and for requests that must stay plain (Terraform's S3 Control calls,
which Go sends through the emulator as HTTP proxy); a bucket whose policy denies insecure transport refuses them.
Further TLS listeners, one per S3 gateway VPC endpoint, are opened on request (emulator_vpc_endpoint.py).

Every listener serves the same WSGI application, so they share one state.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
from emulator_bucket_policy import TLS_PROTOCOL_ENVIRON  # local/, beside this file
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import ThreadedWSGIServer, make_server

# a client that connects and never completes its handshake gives up its own thread after this long
HANDSHAKE_TIMEOUT_SECONDS = 30


class TlsAwareRequestHandler(MotoRequestHandler):
    """moto's request handler, completing a TLS connection's handshake in its own thread and recording the TLS version
    it negotiated (s3:TlsVersion)."""

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if isinstance(self.connection, ssl.SSLSocket):
            environ[TLS_PROTOCOL_ENVIRON] = self.connection.version()
        return environ


def tls_context(key_store: Path, password: str) -> ssl.SSLContext:
    """A server context (TLS 1.2 or newer) from the PKCS12 key store that keytool made."""
    key, certificate, _ = pkcs12.load_key_and_certificates(key_store.read_bytes(), password.encode("utf-8"))
    if key is None or certificate is None:
        raise ValueError(f"{key_store} holds no key and certificate")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # load_cert_chain reads files only: the key is written to a private temporary directory and removed at once
    with tempfile.TemporaryDirectory(prefix="sentinel-tls-") as directory:
        pem = Path(directory, "loopback.pem")
        pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()) + certificate.public_bytes(Encoding.PEM))
        context.load_cert_chain(pem)
    return context


class TlsServer(ThreadedWSGIServer):
    """werkzeug's threaded server with TLS, the handshake moved out of ``accept``. werkzeug wraps the listening socket,
    so each handshake ran in the one thread that accepts connections: a client that connected and sent nothing (seen
    during ``cdktf deploy``) held up every later connection until it went away. Here ``accept`` only wraps the socket,
    and the handshake runs in the connection's own thread (TlsAwareRequestHandler.setup)."""

    def __init__(self, host: str, port: int, app: Any, context: ssl.SSLContext) -> None:
        super().__init__(host, port, app, TlsAwareRequestHandler)
        self.tls = context
        self.ssl_context = context  # werkzeug reads it for wsgi.url_scheme ("https")

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        # each TLS record is its own send (headers, then body): with Nagle's algorithm on, the body waited for the
        # client's delayed ACK of the headers, about 40 ms on every answer
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address


def start_tls_listener(app: Any, host: str, port: int, context: ssl.SSLContext, name: str) -> TlsServer:
    """Serves ``app`` over TLS on ``port`` (0: a free one, read back from ``server_port``) in a daemon thread."""
    server = TlsServer(host, port, app, context)
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def serve(app: Any, host: str, port: int, tls_port: int | None, context: ssl.SSLContext | None) -> None:
    """Serves ``app`` on ``port`` (plain) and, given a TLS context, on ``tls_port`` (TLS), until the process ends."""
    if tls_port is not None:
        if context is None:
            raise ValueError("--tls-port needs --tls-key-store")
        start_tls_listener(app, host, tls_port, context, "tls-listener")
    make_server(host, port, app, threaded=True, request_handler=TlsAwareRequestHandler).serve_forever()
