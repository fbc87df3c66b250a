"""The OpenAPI description: the contract script writers read."""

import re

from django.test import Client

ENDPOINTS = {
    "/api/v1/me": {"get"},
    "/api/v1/committees": {"get"},
    "/api/v1/committees/{committee_id}": {"get"},
    "/api/v1/sectors": {"get"},
    "/api/v1/special-committees": {"get"},
    "/api/v1/handling-units": {"get"},
    "/api/v1/handling-units/{unit_id}": {"get"},
    "/api/v1/people": {"post"},
    "/api/v1/people/{person_id}": {"get"},
    "/api/v1/members": {"get", "post"},
    "/api/v1/members/{membership_id}": {"get", "patch"},
}
# Opinion reports (shixiao.api.reports).
ENDPOINTS |= {
    "/api/v1/reports": {"get", "post"},
    "/api/v1/reports/{report_id}": {"get", "patch"},
    **{f"/api/v1/reports/{{report_id}}/{step}": {"post"}
       for step in ("submit", "start-editing", "edited-text", "sendings", "adoptions",
                    "endorsements", "not-used", "archive")},
}

# Proposals (shixiao.api.proposals).
ENDPOINTS |= {
    "/api/v1/proposals": {"get", "post"},
    "/api/v1/proposals/stats": {"get"},
    "/api/v1/proposals/{proposal_id}": {"get", "patch"},
    "/api/v1/proposals/{proposal_id}/ratings": {"get"},
    **{f"/api/v1/proposals/{{proposal_id}}/{step}": {"post"}
       for step in ("submit", "confirm-signature", "withdraw-signature", "start-review",
                    "return", "register",
                    "not-register", "merge", "convert", "assign", "reassign", "object",
                    "uphold", "extend", "co-opinion", "reply", "reply-with-files", "rate",
                    "rehandle", "progress", "review-follow-up", "add-follow-up", "close",
                    "key", "excellent", "disclosure", "endorsement")},
}


def test_openapi_schema_lists_every_endpoint_without_login(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "shixiao API"
    assert schema["info"]["version"] == "1"
    assert "shixiao token create" in schema["info"]["description"]
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    assert paths == ENDPOINTS


def test_openapi_schema_declares_bearer_and_session_auth(db):
    schemes = Client().get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme") or s.get("in")) for s in schemes.values()}
    assert kinds == {("http", "bearer"), ("apiKey", "cookie")}


def test_personal_fields_are_documented_as_masked(db):
    person = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["PersonOut"]
    assert "Masked" in person["properties"]["id_number"]["description"]


def test_interactive_docs_load_nothing_from_the_internet(db):
    """Committee intranets are offline: Swagger UI must come from our own static files."""
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert assets
    assert all(url.startswith("/static/") for url in assets), assets
