"""Glue DeleteConnection, which moto 5.2.5 lacks.

moto implements CreateConnection and GetConnection(s) but not DeleteConnection, so a Glue connection could be created
locally and never destroyed (``operation error Glue: DeleteConnection, ... StatusCode: 500``): ``tf:apply-local`` had to
drop it from the state before ``terraform destroy``, and ``cdktf destroy local`` failed on it. Here the connection is
removed from moto's store, and an unknown name is refused with ``EntityNotFoundException`` as Glue refuses it.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.responses import GlueResponse


def delete_connection(self: Any) -> ActionResult:
    name = self._get_param("ConnectionName")
    if self.glue_backend.connections.pop(name, None) is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    return EmptyResult()


def install() -> None:
    """Adds DeleteConnection to moto's Glue handler (it dispatches an action to the method of that name)."""
    GlueResponse.delete_connection = delete_connection  # type: ignore[attr-defined]
