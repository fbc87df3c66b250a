"""Which pages bench/pages.py requests, as whom. Anchors first: what a page costs with no
list in it (/login/), and the member list's first 50 rows from one raw SQL query behind the
same middleware and login (bench/pages_urls.py)."""

from urllib.parse import quote

# A common surname: the office's everyday search, matching a few hundred of 10,000 names.
SEARCH = "王"


def pages() -> list[dict]:
    """[{name, url, user, anchor}] for the database the settings point at."""
    from shixiao.orgs.models import Membership

    seat = Membership.objects.filter(person__user__username="member1").order_by("pk").first()
    assert seat is not None, "no member1: is this the benchmark database?"
    rows = [
        ("anchor: login page", "/login/", "anonymous", True),
        ("anchor: 50 members, raw SQL", "/bench/raw-members/", "office", True),
        ("members list", "/members/", "office", False),
        ("members list, name search", f"/members/?q={quote(SEARCH)}", "office", False),
        ("proposals list", "/proposals/", "office", False),
        ("opinion reports list", "/reports/", "office", False),
        ("ledger list", "/ledger/", "office", False),
        ("handling units list", "/units/", "office", False),
        ("member detail", f"/members/{seat.pk}/", "office", False),
        ("my pages (/me/)", "/me/", "member1", False),
        ("leader dashboard", "/dashboard/", "leader", False),
    ]
    return [{"name": n, "url": u, "user": who, "anchor": a} for n, u, who, a in rows]


def enough(ms: list[float], budget_s: float, minimum: int = 5) -> bool:
    """A page that has used its time budget stops being requested once it has `minimum`
    timings: a page of seconds says what it has to say in five requests."""
    return len(ms) >= minimum and sum(ms) > budget_s * 1000
