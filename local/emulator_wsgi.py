"""The WSGI types of the emulator's fronts and one way to call the app behind a front and keep its whole answer.

A front that rewrites or records an answer (the CBOR front, the retried-call replay) cannot stream it: it needs the
status, the headers and the complete body before it answers its own caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class BufferedAnswer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def call_buffered(app: WsgiApp, environ: Environ) -> BufferedAnswer:
    """Calls `app` and returns its status, headers and body. The body keeps what the app wrote through
    start_response's write() (PEP 3333's imperative output) in the order it was written, before or while its
    iterable was consumed; the iterable is closed even when reading it fails."""
    answer: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        answer["status"], answer["headers"] = status, list(headers)
        return chunks.append

    result = app(environ, start_response)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if "status" not in answer:
        raise RuntimeError("the WSGI app returned without calling start_response")
    return BufferedAnswer(status=str(answer["status"]), headers=answer["headers"], body=b"".join(chunks))
