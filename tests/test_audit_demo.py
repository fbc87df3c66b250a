"""The audit log of a full demo opens on every page, for the auditor and for office staff,
including the record of an opinion report a member has just filed (whose create record
holds its authors, a reverse relation with no verbose name of its own)."""

import io
import re

import pytest
from django.core.management import call_command

from shixiao.accounts.models import User
from shixiao.audit.models import AuditRecord
from shixiao.orgs.models import Membership
from shixiao.reports import services as reports

from .conftest import client_for

MEMBERS = 20


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo exactly as `shixiao demo-data` builds it, small, then one report filed."""
    with django_db_blocker.unblock():
        call_command("demo_data", members=MEMBERS, seed=11, password="pw", stdout=io.StringIO())
        member = User.objects.get(username="member1")
        seat = Membership.objects.filter(person__user=member).select_related("committee")[0]
        reports.create_draft(member, committee=seat.committee, title="关于老旧小区加装电梯的建议",
                             body="一、基本情况\n……")
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("username", ["auditor", "office"])
def test_every_audit_page_of_the_demo_opens(demo, django_db_blocker, username):
    with django_db_blocker.unblock():
        client = client_for(User.objects.get(username=username))
        first = client.get("/audit/")
        assert first.status_code == 200
        pages = first.context["page"].paginator.num_pages
        assert pages > 1
        for number in range(1, pages + 1):
            response = client.get(f"/audit/?page={number}")
            assert response.status_code == 200, f"page {number}"
            shown = re.sub(r"<[^>]+>", " ", response.content.decode())
            assert "proposals.proposal" not in shown and " object (" not in shown


def test_a_members_new_report_reads_with_its_authors(demo, django_db_blocker):
    with django_db_blocker.unblock():
        record = AuditRecord.objects.filter(object_type="reports.opinionreport",
                                            username="member1").latest("seq")
        response = client_for(User.objects.get(username="office")).get(
            "/audit/?kind=reports.opinionreport&user=member1")
        assert response.status_code == 200
        row = next(r for r in response.context["records"] if r.record.seq == record.seq)
        authors = next(c for c in row.changes if c.field == "署名人")
        assert record.user.person.name in authors.after
