"""Per-request context that services read without threading it through every call."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "shixiao_request_id", default=None
)


def current_request_id() -> str:
    """The id of the request being served, or a fresh one for CLI and background work."""
    rid = request_id_var.get()
    if rid is None:
        rid = f"cli-{uuid.uuid4().hex}"
        request_id_var.set(rid)
    return rid
