"""Turning domain and Django errors into API answers.

Every 422 has one shape, whether ninja found a missing field or a service's `full_clean`
refused the data: `{"detail": [{"type", "loc": ["body", field], "msg"}]}`. A client reads the
field name from `loc` and never has to know which layer complained.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from shixiao.core.errors import ConflictError, DomainError

# Name of every endpoint's body parameter. Ninja puts it into `loc` (["body", "payload",
# "start"]); we drop it so that renaming a Python argument never changes the API contract.
BODY_PARAM = "payload"


def django_errors(exc: ValidationError) -> list[dict]:
    """Django's ValidationError as ninja-style error entries."""
    if not hasattr(exc, "error_dict"):
        return [_entry(("body",), err) for err in exc.error_list]
    entries = []
    for field, errors in exc.error_dict.items():
        loc = ("body",) if field == NON_FIELD_ERRORS else ("body", field)
        entries.extend(_entry(loc, err) for err in errors)
    return entries


def _entry(loc: tuple, err: ValidationError) -> dict:
    return {"type": err.code or "invalid", "loc": list(loc), "msg": " ".join(err.messages)}


@contextmanager
def api_field_names(mapping: dict[str, str]):
    """Rename model fields to the API's names in validation errors raised inside the block
    (the model says `sector`, the client sent `sector_id`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {mapping.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


def install(api: NinjaAPI) -> None:
    """Register the handlers; called once when the API is assembled."""

    @api.exception_handler(NinjaValidationError)
    def schema_invalid(request, exc):
        for error in exc.errors:
            loc = list(error.get("loc", ()))
            if loc[:2] == ["body", BODY_PARAM]:
                error["loc"] = ["body", *loc[2:]]
        return api.create_response(request, {"detail": exc.errors}, status=422)

    @api.exception_handler(ValidationError)
    def data_invalid(request, exc):
        return api.create_response(request, {"detail": django_errors(exc)}, status=422)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        message = str(exc) or _("You do not have permission to do this.")
        return api.create_response(request, {"detail": message}, status=403)

    @api.exception_handler(ConflictError)
    def conflict(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=409)

    @api.exception_handler(DomainError)
    def refused(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=400)
