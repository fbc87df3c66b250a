"""Who am I: the caller's role, scope and permissions, so a client can shape its screens."""

from ninja import Router

from .auth import actor
from .schemas import MeOut

router = Router(tags=["me"])


@router.get("/me", response=MeOut)
def me(request):
    return actor(request)
