"""API routes for reports."""

from ninja import Router

router = Router(tags=["reports"])
