"""The REST API, mounted at /api/v1/. Interactive docs at /api/v1/docs."""

from ninja import NinjaAPI

from . import accounts, errors, orgs, proposals, reports
from .auth import AUTH

api = NinjaAPI(
    title="shixiao API",
    version="1",
    description=(
        "Read and maintain a committee's organisation: committees, sectors, special "
        "committees, handling units, people and memberships. Every answer is limited to "
        "what the caller may see.\n\n"
        "Authenticate with a bearer token: `Authorization: Bearer sx_…`. An administrator "
        "creates one on the server with `shixiao token create USERNAME`; it is shown once. "
        "Pages of this site may instead use their session cookie, with the CSRF token on "
        "every request that changes data.\n\n"
        "Errors: 401 not authenticated, 403 not permitted, 404 no such record (or not one "
        "you may see), 409 someone else changed the record (send the current `version`), "
        "422 invalid data, with `loc` naming the field."
    ),
    auth=AUTH,
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", orgs.router)
api.add_router("", proposals.router)
api.add_router("", reports.router)
