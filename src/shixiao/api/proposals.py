"""API routes for proposals."""

from ninja import Router

router = Router(tags=["proposals"])
