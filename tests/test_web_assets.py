"""Everything a page loads is served from the package: no CDN on an offline intranet."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

import shixiao

PACKAGE = Path(shixiao.__file__).parent
TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
# src=, href=, action= or CSS url() pointing at another host, with or without a scheme.
REMOTE = re.compile(r"""(?:(?:src|href|action)\s*=\s*["']?|url\(\s*["']?)\s*(?:https?:)?//""",
                    re.IGNORECASE)


def test_htmx_is_vendored_with_its_licence():
    path = finders.find("vendor/htmx/htmx.min.js")
    assert path, "htmx is not among the static files"
    path = Path(path)
    assert path.stat().st_size > 10_000
    assert (path.parent / "LICENSE").read_text().startswith("Zero-Clause BSD")
    readme = (path.parent.parent / "README.md").read_text()
    assert "2.0.11" in readme and "npm pack htmx.org@2" in readme


def test_htmx_and_stylesheet_are_served(world, client):
    for url in ("/static/vendor/htmx/htmx.min.js", "/static/web/shixiao.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000, url


def test_no_template_or_stylesheet_loads_anything_from_another_host():
    assert TEMPLATES, "no templates found"
    sources = TEMPLATES + [Path(finders.find("web/shixiao.css"))]
    offenders = [str(p) for p in sources if REMOTE.search(p.read_text())]
    assert offenders == []


def test_no_web_template_mentions_a_remote_url_at_all():
    web = [p for p in TEMPLATES if p.is_relative_to(PACKAGE / "web")]
    assert web
    offenders = [str(p) for p in web if re.search(r"https?://", p.read_text())]
    assert offenders == []


def test_pages_link_a_served_favicon_and_favicon_ico_leads_to_it(world, client):
    html = client.get("/login/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert link and link.group(1) == "/static/web/favicon.svg"
    icon = client.get(link.group(1))
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert icon.status_code == 200 and body.startswith(b"<svg")
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, link.group(1))


def test_the_urlconf_loads_with_the_production_storage_before_collectstatic(settings,
                                                                            tmp_path):
    """check --deploy imports the URLconf with the manifest storage and no manifest yet: no
    static URL may be resolved at import time."""
    import importlib

    import shixiao.urls
    import shixiao.web.urls

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    try:
        importlib.reload(shixiao.web.urls)
        importlib.reload(shixiao.urls)
    finally:
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        importlib.reload(shixiao.web.urls)
        importlib.reload(shixiao.urls)
