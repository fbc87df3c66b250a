"""A scored year for the dossier tests: member1 (张三) with a plenary attendance, a replied
proposal and a submitted opinion report in 2025, member2 (李四) with a leave of absence,
scored under the default rubric through the assessment services."""

import datetime as dt
import io

from docx import Document

from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.ledger import services as ledger
from shixiao.reports import services as rs

from .proposals_kit import replied

YEAR = 2025
D = dt.date


def build_year(w):
    """Record the year's work and score it; returns the scoring run."""
    ledger.record_entry(w.office, w.membership1, kind="attendance", date=D(YEAR, 1, 15),
                        attrs={"meeting": "plenary", "state": "attended"})
    ledger.record_entry(w.office, w.membership2, kind="attendance", date=D(YEAR, 1, 15),
                        attrs={"meeting": "plenary", "state": "leave"})
    w.proposal = replied(w)
    w.report = rs.create_draft(w.office, committee=w.committee, title="关于老旧小区加装电梯的建议",
                               body="多个老旧小区居民反映上下楼困难，建议简化加装电梯审批。",
                               authors=[w.membership1])
    w.report = rs.submit(w.office, w.report, on=D(YEAR, 4, 1))
    w.rubric = register_rubric(w.office, w.committee, default_rubric_text())
    return score(w)


def score(w, as_of=None):
    return score_committee(w.office, w.committee, w.rubric, year=YEAR, as_of=as_of).run


def open_docx(body: bytes):
    return Document(io.BytesIO(body))


def all_text(document) -> str:
    """Every paragraph and table cell of the document, one per line."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables
            for row in table.rows]
