"""S3 requests from inside a VPC: one extra TLS listener per S3 gateway endpoint the emulator holds.

On AWS a request that reaches S3 through a gateway VPC endpoint carries ``aws:SourceVpce`` (the endpoint's id) and
``aws:SourceVpc`` (its VPC) in the request context; a request from anywhere else carries neither. The platform's
``DenyObjectAccessOutsideVpc`` statements (modules/storage/data-bucket.ts ``restrictToNetwork``) refuse object access to
the raw and artifacts buckets unless ``aws:SourceVpce`` is the stack's S3 endpoint.

Locally the components that run in the VPC on AWS (the Glue job through its connection, the Lambda handlers through
their ``vpc_config``) reach the emulator on the listener of their VPC's S3 gateway endpoint: every request arriving on it
carries that endpoint's id and VPC (emulator_bucket_policy.py reads them), the same way the TLS listener is what makes
``aws:SecureTransport`` true. Requests on the other listeners keep both keys absent.

A listener is opened for an endpoint that exists in the emulator (Terraform created it), on request:
``POST /sentinel-api/vpc-endpoint-listeners`` with ``{"VpcEndpointId": "vpce-..."}`` answers ``{"Port": N, ...}``
(the same port again for the same endpoint). Only a Gateway endpoint of the S3 service is accepted: an interface endpoint
or another service's would not carry S3 requests. The endpoint's own policy is not evaluated (docs/local-pipeline.md).
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Iterable
from typing import Any

from emulator_bucket_policy import SOURCE_VPC_ENVIRON, SOURCE_VPCE_ENVIRON  # local/, beside this file
from emulator_tls import start_tls_listener  # local/, beside this file
from emulator_wsgi import Environ, StartResponse, WsgiApp  # local/, beside this file
from moto.ec2.models import ec2_backends

CONTROL_PATH = "/sentinel-api/vpc-endpoint-listeners"
S3_SERVICE_NAME = re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.s3$")


class VpcEndpointError(ValueError):
    """The named endpoint cannot carry S3 requests (absent, not a gateway, not S3)."""


def s3_gateway_endpoint(endpoint_id: str) -> tuple[str, str]:
    """(endpoint id, VPC id) of the S3 gateway endpoint ``endpoint_id`` in any account and region of the emulator."""
    for account_backends in ec2_backends.values():
        for backend in account_backends.values():
            endpoint = backend.vpc_end_points.get(endpoint_id)
            if endpoint is None:
                continue
            if str(endpoint.vpc_endpoint_type).lower() != "gateway" or not S3_SERVICE_NAME.match(str(endpoint.service_name)):
                raise VpcEndpointError(
                    f"{endpoint_id} is a {endpoint.vpc_endpoint_type} endpoint of {endpoint.service_name}, not an S3 gateway endpoint"
                )
            return str(endpoint.id), str(endpoint.vpc_id)
    raise VpcEndpointError(f"the emulator holds no VPC endpoint {endpoint_id}")


def through_endpoint(app: WsgiApp, endpoint_id: str, vpc_id: str) -> WsgiApp:
    """``app``, with every request marked as arriving through the endpoint."""

    def marked(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ[SOURCE_VPCE_ENVIRON] = endpoint_id
        environ[SOURCE_VPC_ENVIRON] = vpc_id
        return app(environ, start_response)

    return marked


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class VpcEndpointListeners:
    """WSGI middleware serving the control route above; every other request goes to ``app`` unchanged."""

    def __init__(self, app: WsgiApp, host: str, context: ssl.SSLContext | None) -> None:
        self.app, self.host, self.context = app, host, context
        self.ports: dict[str, int] = {}
        self.lock = threading.Lock()

    def open(self, endpoint_id: str) -> dict[str, Any]:
        """Opens (once) the listener of the S3 gateway endpoint ``endpoint_id``; its port and VPC."""
        if self.context is None:
            raise VpcEndpointError("the emulator runs without TLS (--tls-key-store): a VPC endpoint listener serves TLS only")
        endpoint, vpc = s3_gateway_endpoint(endpoint_id)
        with self.lock:
            if endpoint not in self.ports:
                server = start_tls_listener(through_endpoint(self.app, endpoint, vpc), self.host, 0, self.context, f"vpce-{endpoint}")
                self.ports[endpoint] = int(server.server_port)
            return {"VpcEndpointId": endpoint, "VpcId": vpc, "Port": self.ports[endpoint]}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != CONTROL_PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"message": f"POST {CONTROL_PATH}"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            endpoint_id = request.get("VpcEndpointId") if isinstance(request, dict) else None
            if not isinstance(endpoint_id, str) or endpoint_id == "":
                raise VpcEndpointError('the request names no endpoint: {"VpcEndpointId": "vpce-..."}')
            return _json(start_response, "200 OK", self.open(endpoint_id))
        except (VpcEndpointError, json.JSONDecodeError) as error:
            return _json(start_response, "400 Bad Request", {"message": str(error)})
