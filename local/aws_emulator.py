"""The local AWS emulator: moto's server, with the one wire protocol it lacks translated in front of it.

The Terraform AWS provider's CloudWatch client (aws-sdk-go-v2) speaks Smithy RPC v2 CBOR
(``POST /service/GraniteServiceVersion20100801/operation/<Operation>``, ``smithy-protocol: rpc-v2-cbor``);
moto answers CloudWatch only in its query protocol, so alarms and dashboards could not be applied locally.
A CBOR request is decoded (cbor2), serialized as a query request by botocore's own serializer for that
operation, answered by moto in-process, and moto's XML answer is parsed by botocore's query parser and sent
back as CBOR (timestamps as CBOR tag 1, errors as ``__type``/``message`` with the ``x-amzn-query-error``
header CloudWatch's query compatibility defines); with IAM enforced, the signature is verified over the CBOR request
the client signed, which the translated request carries along (emulator_iam.py). Every other request reaches moto unchanged; moto's Glue handler
also serves the Data Quality ruleset API it lacks (emulator_glue_data_quality.py), and its Route 53 Resolver handler the
DNS Firewall API (emulator_dns_firewall.py); PutBucketLogging reads the target's policy as IAM does (emulator_s3_logging.py);
bucket policies are evaluated with their conditions (emulator_bucket_policy.py), and a second listener serves TLS
(emulator_tls.py), so aws:SecureTransport is true exactly for the requests that arrived over it; one more TLS listener
per S3 gateway VPC endpoint (emulator_vpc_endpoint.py) makes aws:SourceVpce that endpoint's id for its requests.

    .venv/bin/python local/aws_emulator.py -H 127.0.0.1 -p <port> [--tls-port <port> --tls-key-store <p12> ...]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import signal
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import botocore.session
import cbor2
import emulator_bucket_policy  # local/, beside this file
import emulator_dns_firewall  # local/, beside this file
import emulator_glue_connection  # local/, beside this file
import emulator_glue_data_quality  # local/, beside this file
import emulator_iam  # local/, beside this file
import emulator_read_back  # local/, beside this file
import emulator_s3_logging  # local/, beside this file
import emulator_tls  # local/, beside this file
import emulator_vpc_endpoint  # local/, beside this file
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer
from emulator_replay import RetriedCallReplay  # local/, beside this file
from emulator_wsgi import Environ, StartResponse, WsgiApp, call_buffered  # local/, beside this file
from moto.kms.models import Key, KmsBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.utils import _VersionedKeyStore
from werkzeug.datastructures import EnvironHeaders

CBOR_OPERATION_PATH = re.compile(r"^/service/(?P<service>[A-Za-z0-9_]+)/operation/(?P<operation>[A-Za-z0-9_]+)$")
# Smithy service shape name -> botocore service: the services whose SDKs speak CBOR and moto speaks query.
CBOR_SERVICES = {"GraniteServiceVersion20100801": "cloudwatch"}


class RpcV2CborFront:
    """WSGI middleware: Smithy RPC v2 CBOR requests of CBOR_SERVICES in, moto's query protocol behind."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        session = botocore.session.get_session()
        self.models: dict[str, ServiceModel] = {shape: session.get_service_model(service) for shape, service in CBOR_SERVICES.items()}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        match = CBOR_OPERATION_PATH.match(environ.get("PATH_INFO", ""))
        is_cbor = environ.get("HTTP_SMITHY_PROTOCOL", "") == "rpc-v2-cbor"
        if not is_cbor or match is None or match["service"] not in self.models:
            return self.app(environ, start_response)
        operation = self.models[match["service"]].operation_model(match["operation"])
        return self._translate(environ, start_response, operation)

    def _translate(self, environ: Environ, start_response: StartResponse, operation: OperationModel) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        params = cbor2.loads(raw) if raw else {}
        query = QuerySerializer().serialize_to_request(params or {}, operation)
        body = urlencode(query["body"]).encode("utf-8")
        inner: dict[str, Any] = {key: value for key, value in environ.items() if key != "HTTP_SMITHY_PROTOCOL"}
        # the signature is the client's, over the CBOR request: moto verifies it over that (emulator_iam.py)
        query_string = environ.get("QUERY_STRING", "")
        inner[emulator_iam.SIGNED_REQUEST] = emulator_iam.SignedRequest(
            method=environ.get("REQUEST_METHOD", "POST"),
            path=environ.get("PATH_INFO", "") + (f"?{query_string}" if query_string else ""),
            body=raw,
            headers=EnvironHeaders(environ),
        )
        inner.update(
            {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/",
                "QUERY_STRING": "",
                "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
            }
        )
        answer = call_buffered(self.app, inner)
        status = answer.status
        status_code = int(status.split(" ", 1)[0])
        response = {"body": answer.body, "headers": {}, "status_code": status_code}
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        if status_code < 300:
            parsed = QueryParser().parse(response, operation.output_shape) if operation.output_shape else {}
            parsed.pop("ResponseMetadata", None)
            payload = cbor2.dumps(parsed, datetime_as_timestamp=True, timezone=UTC)
        else:
            error = QueryParser().parse(response, None).get("Error", {})
            code = str(error.get("Code") or "InternalFailure")
            payload = cbor2.dumps({"__type": f"com.amazonaws.cloudwatch#{code}", "message": str(error.get("Message", ""))})
            headers.append(("x-amzn-query-error", f"{code};{'Sender' if status_code < 500 else 'Receiver'}"))
        headers.append(("Content-Length", str(len(payload))))
        start_response(status, headers)
        return [payload]


def _versions_snapshot(store: _VersionedKeyStore) -> Iterator[tuple[str, list[Any]]]:
    """(key, versions) pairs from one copy of the store, so a key deleted meanwhile cannot show up as None."""
    yield from dict(store).items()


def patch_moto_concurrency() -> None:
    """moto 5.2.5's ListObjectVersions copies the bucket's key names, then looks each up again: a key another thread
    deletes in between comes back as None and the request fails with a 500 (TypeError in list_object_versions).
    Terraform deletes objects in parallel, each after a ListObjectVersions, so destroys failed at random. Taking the
    (key, versions) pairs from the one copy answers each request from a consistent snapshot."""
    _VersionedKeyStore.iterlists = _VersionedKeyStore.lists = _versions_snapshot  # type: ignore[method-assign,assignment]


def patch_moto_hmac_key_material() -> None:
    """HMAC keys whose material stays the same from one emulator to the next. Real KMS keeps a key's material for the
    key's life; every npm start applies the local stack to a fresh emulator, where moto draws new random material, so
    the job state the last run sealed (GenerateMac) could never verify in the next (FittedStateError). The material is
    derived from the account, region and description: the same key, as far as the local environment can tell."""
    create_key = KmsBackend.create_key

    def create_key_with_stable_mac_material(self: KmsBackend, *args: Any, **kwargs: Any) -> Key:
        key = create_key(self, *args, **kwargs)
        if key.key_spec.startswith("HMAC"):
            seed = f"sentinel local emulator|{key.account_id}|{key.region}|{key.key_spec}|{key.description}"
            key.key_material = hashlib.sha256(seed.encode("utf-8")).digest()
        return key

    KmsBackend.create_key = create_key_with_stable_mac_material  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with a Smithy RPC v2 CBOR front for CloudWatch")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    # the TLS listener every AWS client uses (emulator_tls.py); its certificate from local/emulator/loopback-tls.ts
    parser.add_argument("--tls-port", type=int)
    parser.add_argument("--tls-key-store", type=Path)
    parser.add_argument("--tls-key-store-password", default="")
    args = parser.parse_args(argv)
    # moto builds its own URLs (presigned, Lambda callbacks) from this, as moto_server sets it
    os.environ.setdefault("MOTO_PORT", str(args.port))
    # as moto_server does: end cleanly on SIGINT/SIGTERM
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    patch_moto_concurrency()
    patch_moto_hmac_key_material()
    # only consulted when IAM enforcement is switched on (moto-api/reset-auth): see emulator_iam.py
    emulator_iam.install()
    # Glue Data Quality rulesets, which moto lacks: see emulator_glue_data_quality.py
    emulator_glue_data_quality.install()
    # Glue DeleteConnection, which moto lacks: see emulator_glue_connection.py
    emulator_glue_connection.install()
    # Route 53 Resolver DNS Firewall, which moto lacks: see emulator_dns_firewall.py
    emulator_dns_firewall.install()
    # bucket policies granting log delivery read as IAM reads them: see emulator_s3_logging.py
    emulator_s3_logging.install()
    # bucket policies evaluated with their conditions (aws:SecureTransport from the listener): emulator_bucket_policy.py
    emulator_bucket_policy.install()
    # attributes moto accepts but does not answer as AWS does (log group class, Glue connection type and job execution
    # class, KMS rotation period, Lambda dead-letter and logging configuration, S3 bucket tags, log key format, EventBridge,
    # the bucket key of a multipart upload)
    emulator_read_back.install()
    app = DomainDispatcherApplication(create_backend_app)
    # a retried SDK call that moto already completed gets its first answer again (emulator_replay.py says why)
    front = RetriedCallReplay(RpcV2CborFront(app))
    context = None if args.tls_key_store is None else emulator_tls.tls_context(args.tls_key_store, args.tls_key_store_password)
    # one more TLS listener per S3 gateway endpoint, opened on request; requests on it carry aws:SourceVpce
    served = emulator_vpc_endpoint.VpcEndpointListeners(front, args.host, context)
    emulator_tls.serve(served, args.host, args.port, args.tls_port, context)


if __name__ == "__main__":
    main()
