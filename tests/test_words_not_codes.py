"""Each place issue 10 found an internal code or English in the Chinese interface, checked
on its own: ledger rows and the correction form, the ledger's Excel export, a duty report's
entry line, deadline rules, the dashboard's note and the similar-proposals panel. The crawl
(tests/test_crawl.py) checks every page; these name the defect when one comes back."""

import datetime as dt
import re

from shixiao.dossier.labels import describe_entry
from shixiao.ledger import services as ledger
from shixiao.proposals import services as ps

from .crawl_kit import latin_words, visible_text, xlsx_text
from .test_proposals_similarity import corpus  # noqa: F401 - fixture

D = dt.date


def zh(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def words_on(response) -> list[str]:
    """Latin words on the page, less the login name the header shows for a user without
    a name (the fixture's users have none)."""
    assert response.status_code == 200, response.status_code
    login = response.wsgi_request.user.username
    return [w for w in latin_words(visible_text(response.content.decode())) if w != login]


def workflow_entry(world):
    """A ledger entry as the proposal workflow writes it: a ref, a status and a role code,
    and the proposal as its source."""
    p = ps.create_draft(world.member1, committee=world.committee, term=world.term,
                        title="关于优化公交线网的建议", body="建议优化公交线网。",
                        authors=[world.membership1], on=D(2025, 3, 1))
    return p, ledger.record_entry(
        world.office, world.membership1, kind="proposal", date=D(2025, 3, 2),
        attrs={"ref": f"proposal:{p.pk}", "status": "effect_unkept", "role": "co_signer",
               "collective": False, "authors": 2, "author_rank": 2},
        source=p, reason="still fulfilled at a later horizon")


def test_ledger_rows_say_status_role_and_source_in_words(world, as_user):
    p, entry = workflow_entry(world)
    response = zh(as_user(world.office)).get("/ledger/")
    assert words_on(response) == []
    page = response.content.decode()
    assert "承诺未兑现" in page and "联名人" in page
    assert f"proposals.proposal:{p.pk}" not in page and f"proposal:{p.pk}" not in page
    assert f'href="/proposals/{p.pk}/"' in page  # the source, as a link


def test_the_correction_form_offers_statuses_and_roles_by_name(world, as_user):
    _p, entry = workflow_entry(world)
    response = zh(as_user(world.office)).get(f"/ledger/{entry.pk}/correct/")
    assert words_on(response) == []
    form = response.context["form"]
    for name in ("attr_status", "attr_role"):
        labels = [str(label) for code, label in form.fields[name].choices if code]
        assert labels and all(not latin_words(label) for label in labels), (name, labels)


def test_the_ledger_export_has_no_codes(world, as_user):
    workflow_entry(world)
    response = zh(as_user(world.office)).get("/ledger/?format=xlsx")
    assert response.status_code == 200
    # The recorder's login stands in for a name the fixture's users lack.
    assert latin_words(xlsx_text(response.content)) in ([], ["office"])


def test_a_duty_report_names_the_writing_type():
    class Entry:
        date, kind, attrs = D(2025, 5, 1), "writing", {"type": "reflection",
                                                       "status": "accepted"}

    from django.utils import translation

    with translation.override("zh-hans"):
        line = describe_entry(Entry(), {})
    assert "reflection" not in line and "学习心得" in line, line


def test_deadline_rules_show_no_rule_codes(world, as_user):
    client = zh(as_user(world.office))
    assert words_on(client.get("/deadlines/")) == []
    rule = f"/deadlines/committees/{world.committee.pk}/rules/proposal_reply/"
    assert words_on(client.get(rule)) == []


def test_the_dashboard_cites_no_repository_paths(world, as_user):
    page = zh(as_user(world.leader)).get("/dashboard/").content.decode()
    assert "docs/" not in visible_text(page)


def test_similar_proposals_show_a_strength_not_a_raw_score(world, as_user, corpus):  # noqa: F811
    _past, new = corpus
    response = zh(as_user(world.office)).get(f"/proposals/{new.pk}/")
    rows = response.context["similar"]
    assert [r["strength"] for r in rows] == ["very", "some"]  # a near-duplicate, a stranger
    panel = visible_text(response.content.decode().split('id="similar-heading"')[1])
    assert "得分" not in panel and "高度相似" in panel
    assert re.search(r"\d+\.\d+", panel) is None, panel  # such as 442.6


def test_my_pages_open_on_the_latest_year_with_records_not_an_empty_current_year(
        world, as_user):
    """Records only in 2025 and none yet this year: /me/ opens on 2025, not on a year of
    zeros. With nothing at all it opens on the seat's current (or last) year."""
    from django.utils import timezone

    fallback = min(timezone.localdate().year, world.term.end.year)
    assert zh(as_user(world.member1)).get("/me/").context["year"] == fallback
    ledger.record_entry(world.office, world.membership1, kind="attendance",
                        date=D(2025, 3, 5), attrs={"meeting": "plenary", "state": "attended"})
    for path in ("/me/", "/me/score/", "/me/record/"):
        assert zh(as_user(world.member1)).get(path).context["year"] == 2025, path
