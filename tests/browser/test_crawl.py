"""Every kind of page of a full demo, as every demo role, in a real Chromium: no console
error and no failed request (a missing script, a stylesheet's 404, a 500 behind htmx).

Which pages: the server-side crawl (tests/crawl_kit.py) lists what each role can reach;
the browser opens one page per view, so the run stays short. Downloads are left to the
server-side crawl, which reads their text."""

import pytest

from ..crawl_kit import crawl, pattern_of
from ..demo_kit import build_full_demo
from ..test_crawl import ROLES, client_for, demo_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo"  # orgs.demo.DEFAULT_PASSWORD, which build_full_demo keeps


def one_page_per_view(seen) -> list[str]:
    pages = {}
    for path, status in sorted(seen.pages.items()):
        view = pattern_of(path).split("?")[0]
        if status == 200 and path not in seen.downloads and view not in pages:
            pages[view] = path
    return list(pages.values())


def test_every_kind_of_page_as_every_role_has_no_console_error(visit):
    demo = build_full_demo(members=12)
    problems = []
    opened = 0
    for role in ROLES:
        paths = one_page_per_view(crawl(client_for(demo, role), per_pattern=1, per_view=1))
        v = visit()
        user = demo_user(demo, role)
        if user is not None:
            v.log_in(user.username, PASSWORD)
        for path in paths:
            before = len(v.problems())
            v.page.goto(v.url(path))
            v.page.wait_for_load_state("networkidle")
            opened += 1
            # A request still in flight when the next page is opened ends as ERR_ABORTED
            # (the favicon, typically): the navigation cut it, nothing is missing. A missing
            # asset answers 404 and is caught as a failed response.
            problems += [f"{role} {path}: {p}" for p in v.problems()[before:]
                         if "net::ERR_ABORTED" not in p]
        # The fixture fails the test on these too, without saying which page: say it here.
        v.console_errors.clear()
        v.failed_requests.clear()
    assert opened > 40, opened
    assert not problems, "\n".join(problems)
