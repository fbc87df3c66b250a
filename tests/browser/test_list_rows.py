"""Every list page, as the role that uses it: a row's link opens the detail page as a whole
page (it used to be swapped into the list's #results, which the detail page lacks, leaving
a blank page), while paging and filtering still refresh only the list and push the URL."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from shixiao.accounts.models import User
from shixiao.core.choices import UserRole
from shixiao.proposals.models import Proposal
from shixiao.reports.models import OpinionReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROW_LINK = "#results table.list tbody tr td a"


@pytest.fixture
def demo(db):
    """A small demo: a year of proposals, reports and ledger entries through the workflows,
    with more than one page of proposals (30 a page) for the office."""
    call_command("demo_data", members=40, seed=2026, password="pw", stdout=io.StringIO())


def open_first_row(v, list_path: str) -> None:
    """Open a list, click its first row's link, and see the detail page, headed by the
    name the row showed."""
    v.goto(list_path)
    page = v.page
    row = page.locator(ROW_LINK).first
    expect(row).to_be_visible()
    href, name = row.get_attribute("href"), row.inner_text().strip()
    with page.expect_navigation():
        row.click()
    assert page.url.endswith(href), (list_path, page.url, href)
    expect(page.locator("main h1")).to_have_text(name)


def go_to_next_page(v) -> None:
    """The pager's next link swaps only #results and pushes the URL."""
    page = v.page
    heading = page.locator("main h1").inner_text()
    first_before = page.locator(ROW_LINK).first.get_attribute("href")
    assert page.locator("#results nav.pager a[rel=next]").count(), f"one page only: {page.url}"
    page.evaluate("window.__same_document = true")
    page.locator("#results nav.pager a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(page.locator("#results nav.pager a[rel=prev]")).to_be_visible()
    assert page.evaluate("window.__same_document === true"), "paging reloaded the page"
    assert page.locator("main h1").inner_text() == heading
    assert page.locator(ROW_LINK).first.get_attribute("href") != first_before


def test_office_opens_members_ledger_rows_and_proposals_after_paging_and_filtering(demo, visit):
    v = visit()
    v.log_in("office")
    v.goto(reverse("web:member_list"))
    page = v.page
    name = page.locator(ROW_LINK).nth(3).inner_text().strip()
    open_first_row(v, reverse("web:member_list"))
    v.goto(reverse("web:member_list"))
    page.evaluate("window.__same_document = true")
    page.fill("form.filters input[name=q]", name)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator(ROW_LINK)).to_have_count(1)
    assert page.evaluate("window.__same_document === true"), "filtering reloaded the page"
    with page.expect_navigation():
        page.locator(ROW_LINK).first.click()
    expect(page.locator("main h1")).to_have_text(name)

    v.goto(reverse("ledger:entry_list"))
    go_to_next_page(v)
    link = page.locator("#results .entry-actions a").first
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(href)
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main form")).to_be_visible()

    v.goto(reverse("proposals:list"))
    go_to_next_page(v)
    row = page.locator(ROW_LINK).first
    title = row.inner_text().strip()
    with page.expect_navigation():
        row.click()
    expect(page.locator("main h1")).to_have_text(title)


def test_member_opens_their_proposal_and_their_report(demo, visit):
    members = User.objects.filter(role=UserRole.MEMBER).order_by("pk")
    author = next(u for u in members if Proposal.objects.visible_to(u).exists()
                  and OpinionReport.objects.visible_to(u).exists())
    v = visit()
    v.log_in(author.username)
    open_first_row(v, reverse("proposals:list"))
    open_first_row(v, reverse("reports:list"))


def test_handling_unit_opens_a_proposal_from_its_portal(demo, visit):
    v = visit()
    v.log_in("unit1")
    open_first_row(v, reverse("proposals:unit_home"))


def test_ledger_export_link_follows_the_filter_the_list_shows(demo, visit):
    """Filtering swaps only #results; the export link above it must export what the list
    now shows, not what it showed before."""
    v = visit()
    v.log_in("office")
    v.goto(reverse("ledger:entry_list"))
    page = v.page
    assert "kind=" not in (page.locator("#export").get_attribute("href") or "")
    page.evaluate("window.__same_document = true")
    page.select_option("form.filters select[name=kind]", "proposal")
    expect(page).to_have_url(re.compile(r"[?&]kind=proposal"))
    expect(page.locator("#export")).to_have_attribute("href", re.compile(r"kind=proposal"))
    assert page.evaluate("window.__same_document === true"), "filtering reloaded the page"
