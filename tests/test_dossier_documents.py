"""Word downloads: a member's annual duty report and the committee's summary open in
python-docx, say what users rely on, and are served only within scope."""

import datetime as dt

import pytest

from shixiao.assessment.decimals import text as text_of
from shixiao.assessment.models import MemberScore
from shixiao.dossier import charts
from shixiao.dossier.services import publish_assessment
from shixiao.ledger import services as ledger

from .dossier_kit import YEAR, all_text, build_year, open_docx, score, table_rows
from .font_kit import cmap_of, hide_system_fonts, record_glyph_fonts

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def year(world):
    world.run = build_year(world)
    return world


def member_url(w, membership=None, year=YEAR):
    return f"/dossier/members/{(membership or w.membership1).pk}/{year}.docx"


def committee_url(w, committee=None, year=YEAR):
    return f"/dossier/committee/{(committee or w.committee).pk}/{year}.docx"


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment")
    return open_docx(response.content)


# --- the member's report ----------------------------------------------------------------------

def test_member_report_opens_and_names_the_member_in_chinese(year, as_user):
    document = download(as_user(year.member1), member_url(year))
    text = all_text(document)
    assert "张三" in text and "履职报告" in text
    assert "示范市政协" in text and str(YEAR) in text
    assert "经济界" in text and "提案委员会" in text, "sector and special committee"


def test_member_report_explanation_rows_match_the_stored_explanation(year, as_user):
    w = year
    stored = MemberScore.objects.get(run=w.run, membership=w.membership1).explanation
    lines = stored["lines"]
    assert lines, "the fixture year gives member1 points"
    document = download(as_user(w.office), member_url(w))
    [table] = [t for t in document.tables
               if any(row.cells[0].text == lines[0]["label"] for row in t.rows)]
    rows = [[cell.text for cell in row.cells] for row in table.rows][1:]  # after the header
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):
        assert row[0] == line["label"]
        assert row[2] == str(line["points"])
        # A rule that counted nothing shows its 0 with a dash for the entries.
        assert len(row[4].splitlines()) == (len(line["entries"]) or 1)


def test_explanation_entries_are_described_in_words(year, as_user):
    rows = table_rows(download(as_user(year.member1), member_url(year)))
    entries_column = "\n".join(r[4] for r in rows if len(r) == 5)
    assert "2025-03-10" in entries_column, "the registration's date"
    assert "《加强校园周边交通安全》" in entries_column, "the proposal's title, not its id"
    assert "{" not in entries_column, "no stored JSON"


def test_member_report_has_an_inline_png_chart(year, as_user):
    document = download(as_user(year.member1), member_url(year))
    assert len(document.inline_shapes) >= 2
    images = [part for part in document.part.package.parts
              if part.content_type == "image/png"]
    assert images and all(p.blob.startswith(charts.PNG_SIGNATURE) for p in images)


def test_member_report_sets_an_east_asian_font(year, as_user):
    document = download(as_user(year.member1), member_url(year))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_member_report_lists_proposals_reports_and_what_is_still_open(year, as_user):
    text = all_text(download(as_user(year.member1), member_url(year)))
    assert "加强校园周边交通安全" in text
    assert "关于老旧小区加装电梯的建议" in text
    assert "Not yet published" in text or "尚未公布" in text


def test_member_report_shows_the_published_version(year, as_user):
    w = year
    publish_assessment(w.office, w.committee, YEAR, note="")
    ledger.record_entry(w.office, w.membership1, kind="constituent_contact",
                        date=dt.date(YEAR, 6, 1), attrs={"status": "confirmed"})
    score(w)
    publish_assessment(w.office, w.committee, YEAR, note="a fix confirmed")
    text = all_text(download(as_user(w.member1), member_url(w)))
    assert "version 2" in text or "第2版" in text or "版本 2" in text
    published = w.membership1.published_scores.order_by("-publication__number").first()
    assert text_of(published.total) in text


def test_member_report_leaves_out_personal_data(year, as_user):
    text = all_text(download(as_user(year.office), member_url(year)))
    assert year.person1.id_number not in text and year.person1.phone not in text


def test_member_report_for_a_year_without_scores_still_opens(year, as_user):
    text = all_text(download(as_user(year.member1), member_url(year, year=2023)))
    assert "张三" in text


def test_member_report_scope(year, as_user):
    w = year
    assert as_user(w.member1).get(member_url(w)).status_code == 200
    assert as_user(w.member1).get(member_url(w, w.membership2)).status_code == 404
    assert as_user(w.member2).get(member_url(w)).status_code == 404
    assert as_user(w.unit1_user).get(member_url(w)).status_code == 403
    assert as_user(w.office_other).get(member_url(w)).status_code == 404
    assert as_user(w.sc1_staff).get(member_url(w)).status_code == 200
    assert as_user(w.sc1_staff).get(member_url(w, w.membership2)).status_code == 404
    for user in (w.office, w.leader, w.auditor):
        assert as_user(user).get(member_url(w)).status_code == 200
    assert as_user(None).get(member_url(w)).status_code == 302


# --- the committee's summary ------------------------------------------------------------------

def test_committee_summary_has_distributions_and_pipelines_but_no_member_ranking(year,
                                                                                  as_user):
    w = year
    publish_assessment(w.office, w.committee, YEAR, note="")
    document = download(as_user(w.office), committee_url(w))
    text = all_text(document)
    assert "示范市政协" in text and "履职考核汇总" in text
    for name in ("张三", "李四"):
        assert name not in text, "no member is named, let alone ranked"
    rows = table_rows(document)
    assert not any(len(r) > 1 and r[1] in ("张三", "李四") for r in rows)
    assert len(document.inline_shapes) >= 1
    grade_rows = [r for r in rows if r[0] in ("称职", "需改进")]
    assert sum(int(r[1]) for r in grade_rows) == 2, "both members are counted by grade"


def test_committee_summary_scope(year, as_user):
    w = year
    for user in (w.office, w.leader, w.sc1_staff, w.auditor):
        assert as_user(user).get(committee_url(w)).status_code == 200, user.username
    assert as_user(w.member1).get(committee_url(w)).status_code == 403
    assert as_user(w.unit1_user).get(committee_url(w)).status_code == 403
    assert as_user(w.office_other).get(committee_url(w)).status_code == 404
    assert as_user(w.office).get(committee_url(w, w.other.committee)).status_code == 404


def test_special_committee_staff_summary_covers_their_members_only(year, as_user):
    text = all_text(download(as_user(year.sc1_staff), committee_url(year)))
    assert "提案委员会" in text


def test_member_report_draws_its_charts_with_the_shipped_font_without_system_fonts(
        year, as_user, monkeypatch):
    """A machine with no CJK font (a fresh server, Windows without the path we know) still
    gets its report, charts in Chinese drawn from the font shipped with shixiao."""
    hide_system_fonts(monkeypatch)
    drawn = record_glyph_fonts(monkeypatch)
    download(as_user(year.member1), member_url(year))
    chinese = {c for c in drawn if "\u4e00" <= c <= "\u9fff"}
    assert chinese, "the charts have Chinese labels"
    assert {c: drawn[c] for c in chinese} == {c: {str(charts.VENDORED_FONT)} for c in chinese}
    assert chinese <= cmap_of(charts.VENDORED_FONT)


def test_a_broken_cjk_font_setting_is_a_clear_503(year, as_user, monkeypatch):
    monkeypatch.setenv(charts.FONT_ENV, "/nonexistent/font.ttc")
    response = as_user(year.member1).get(member_url(year))
    assert response.status_code == 503
    assert "SHIXIAO_CJK_FONT" in response.content.decode()
