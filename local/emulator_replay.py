"""At-most-once for retried SDK calls: the emulator answers a retry of a call it already completed with the answer it gave.

Every AWS SDK (aws-sdk-go-v2 in the Terraform provider, the JavaScript SDK v3 of the handlers, botocore) sends
``amz-sdk-invocation-id`` (the same for every attempt of one call) and ``amz-sdk-request: attempt=N; max=M``. When
a response is lost on the way back (a connection reset after moto has acted; seen under load as a provider retry
of ``IAM/GetRolePolicy`` with no response logged), the SDK sends the call again. For a create that is not
idempotent the second attempt then fails on the first one's result: ``terraform apply`` stopped with
``ResourceConflictException: Function already exist`` (HTTP 409) for a Lambda function it had just created.

AWS itself makes those retries safe for the calls that matter (client tokens, idempotent creates); moto does not,
so this front records the answer to every successful call sent with another method than GET, HEAD or OPTIONS
(every change; the query and JSON protocols send their reads as POST too, and those are recorded alike) and, for a
later attempt of the same invocation, sends that answer again instead of acting twice. A first attempt, a call
that failed and every GET reach moto as before. Each replay is logged to stderr, so a lost response stays visible.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable

from emulator_wsgi import Environ, StartResponse, WsgiApp, call_buffered  # local/, beside this file

ATTEMPT = re.compile(r"(?:^|;)\s*attempt=(?P<attempt>\d+)")
READS = frozenset({"GET", "HEAD", "OPTIONS"})
# answers kept; a retry follows its first attempt within seconds, and one apply makes about 2,000 changing calls
DEFAULT_CAPACITY = 4096
# how long a retry waits for its first attempt's answer when it overtakes it (the slowest moto answers take ~10 s)
IN_FLIGHT_WAIT_SECONDS = 60.0


def attempt_number(environ: Environ) -> int:
    """The SDK's attempt number of this request (1 when the header is absent or unreadable)."""
    match = ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    return int(match["attempt"]) if match else 1


class RetriedCallReplay:
    """WSGI middleware: replays the recorded answer to a retried attempt of a completed, state-changing SDK call."""

    def __init__(self, app: WsgiApp, capacity: int = DEFAULT_CAPACITY) -> None:
        self.app = app
        self.capacity = capacity
        self._answers: OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()
        # invocations whose first attempt moto is still answering: a retry that overtakes it waits for that answer
        self._in_flight: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        if not invocation or environ.get("REQUEST_METHOD", "GET") in READS:
            return self.app(environ, start_response)
        if attempt_number(environ) > 1:
            with self._lock:
                in_flight = self._in_flight.get(invocation)
            if in_flight is not None:
                in_flight.wait(IN_FLIGHT_WAIT_SECONDS)
            with self._lock:
                recorded = self._answers.get(invocation)
            if recorded is not None:
                status, headers, body = recorded
                print(
                    f"emulator: attempt {attempt_number(environ)} of SDK call {invocation} "
                    f"({environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}) answered with the first attempt's {status}",
                    file=sys.stderr,
                    flush=True,
                )
                start_response(status, headers)
                return [body]
        return self._call_and_record(invocation, environ, start_response)

    def _call_and_record(self, invocation: str, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        done = threading.Event()
        with self._lock:
            self._in_flight.setdefault(invocation, done)
        try:
            return self._answer_and_record(invocation, environ, start_response)
        finally:
            with self._lock:
                if self._in_flight.get(invocation) is done:
                    del self._in_flight[invocation]
            done.set()

    def _answer_and_record(self, invocation: str, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        answer = call_buffered(self.app, environ)
        if answer.status.startswith("2"):
            with self._lock:
                self._answers[invocation] = (answer.status, answer.headers, answer.body)
                while len(self._answers) > self.capacity:
                    self._answers.popitem(last=False)
        start_response(answer.status, answer.headers)
        return [answer.body]
