"""Domain errors raised by services. Views and the API turn them into 400/403/409 answers."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["DomainError", "ConflictError", "PermissionDenied", "ValidationError"]


class DomainError(Exception):
    """An action that is not allowed in the current state; the message tells a person why."""


class ConflictError(DomainError):
    """Someone else changed the record since it was read."""
