"""Every page of a full demo, as every demo role, in Chinese: no server error, no broken
link, and no English word or internal code (`effect_unkept`, `proposals.proposal:245`) in
what a person reads — on the pages and in the Word and Excel files they download.

The crawl (tests/crawl_kit.py) follows every same-site link from the home page, bounded per
URL pattern, so a new page is crawled as soon as some page links to it."""

import pytest
from django.core.management import call_command
from django.test import Client

from shixiao.accounts.models import User
from shixiao.core.choices import MembershipRole
from shixiao.orgs.models import Membership
from shixiao.proposals.models import ProposalAuthor

from .crawl_kit import crawl, latin_words, pattern_of, visible_text
from .demo_kit import build_full_demo

ROLES = ["office", "sc1", "leader", "auditor", "unit1", "author", "standing", "anonymous"]

@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    """One full demo for every role's crawl (built once: it takes most of the time)."""
    with django_db_blocker.unblock():
        demo = build_full_demo(members=20)
    demo.crawls = {}  # role → Crawl, so the coverage test reads the role tests' crawls
    yield demo
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def demo_user(demo, role: str) -> User | None:
    """The login of a demo role: a staff login by name, or a member who filed proposals as
    first author ("author"), or a standing member ("standing")."""
    if role == "anonymous":
        return None
    if role == "author":
        author = (ProposalAuthor.objects.filter(proposal__committee=demo.committee, rank=1,
                                                proposal__proposer_type="individual")
                  .order_by("membership__pk").first())
        return author.membership.person.user
    if role == "standing":
        membership = (Membership.objects.filter(committee=demo.committee,
                                                role=MembershipRole.STANDING,
                                                end__isnull=True)
                      .order_by("pk").first())
        return membership.person.user
    return User.objects.get(username=role)


def crawled(demo, role: str):
    if role not in demo.crawls:
        demo.crawls[role] = crawl(client_for(demo, role))
    return demo.crawls[role]


def client_for(demo, role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    user = demo_user(demo, role)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_page_as_every_role_is_chinese_and_answers(full_demo, db, role):
    seen = crawled(full_demo, role)
    assert seen.pages, role
    problems = seen.report(role)
    assert not problems, f"{len(seen.pages)} pages crawled; problems:\n{problems}"


def test_crawl_reaches_every_kind_of_page_and_the_downloads(full_demo, db):
    """The crawl proves something only if it gets everywhere: each role's main pages, the
    forms of a row (a correction), and the Word and Excel files."""
    expected = {
        "office": {"web:member_detail", "proposals:detail", "reports:detail",
                   "ledger:entry_list", "ledger:entry_correct", "dashboard:index",
                   "dossier:index", "dossier:committee_summary", "deadlines:index",
                   "deadlines:rule_edit", "sheets:index", "sheets:export", "web:unit_detail"},
        "unit1": {"proposals:unit_home", "proposals:detail"},
        "author": {"mypages:home", "mypages:record", "mypages:score", "mypages:work",
                   "dossier:member_report", "proposals:detail"},
    }
    for role, names in expected.items():
        seen = crawled(full_demo, role)
        reached = {pattern_of(path).split("?")[0] for path in seen.pages}
        assert names <= reached, (role, sorted(names - reached))
        if role == "office":
            assert set(seen.downloads.values()) == {"docx", "xlsx"}, seen.downloads


def test_latin_word_check_finds_codes_and_english_but_not_the_allowlist():
    html = ('<html><head><style>a{}</style><script>var x;</script></head><body>'
            '<p title="attribute">实效 · proposal:245 <b>Status</b> effect_unkept</p>'
            '<code>ab12cd</code><button lang="en">English</button>'
            '<p>导出 Excel，Word 文件（.docx），编号 2026-0001，API，办理结果 A</p></body></html>')
    assert latin_words(visible_text(html)) == ["proposal:245", "Status", "effect_unkept"]
