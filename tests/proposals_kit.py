"""Builders for the proposal tests: walk a proposal to a given state through the production
services, and read back what the ledger and the rubrics make of it."""

import datetime as dt
from pathlib import Path

from shixiao.accounts.services import create_user
from shixiao.assessment import load, score
from shixiao.assessment.services import load_entries
from shixiao.core.choices import UserRole
from shixiao.ledger.models import Entry
from shixiao.proposals import services as ps
from shixiao.proposals.models import ResultGrade

D = dt.date
REPO = Path(__file__).resolve().parents[1]
SUBMIT_ON = D(2025, 3, 3)
REVIEW_ON = D(2025, 3, 10)
ASSIGN_ON = D(2025, 3, 20)
REPLY_ON = D(2025, 5, 20)


def unit2_user(w):
    """A user for unit2 (the fixture world gives only unit1 one)."""
    return create_user(None, username="unit2", password="pw", role=UserRole.UNIT,
                       committee=w.committee, handling_unit=w.unit2)


def grade(w, code: str) -> ResultGrade:
    return ResultGrade.objects.get(committee=w.committee, code=code)


def draft(w, *, actor=None, authors=None, proposer_type="individual", title="加强校园周边交通安全",
          on=D(2025, 3, 1), **kw):
    actor = actor or w.member1
    authors = authors if authors is not None else [w.membership1]
    return ps.create_draft(actor, committee=w.committee, term=w.term, title=title,
                           body="校门口早晚高峰拥堵，建议设置接送车位并错峰放学。",
                           proposer_type=proposer_type, authors=authors, on=on, **kw)


def submitted(w, **kw):
    p = draft(w, **kw)
    return ps.submit(kw.get("actor") or w.member1, p, on=SUBMIT_ON)


def in_review(w, **kw):
    return ps.start_review(w.office, submitted(w, **kw), on=REVIEW_ON)


def registered(w, **kw):
    return ps.register(w.office, in_review(w, **kw), on=REVIEW_ON)


def assigned(w, *, mode="single", units=None, **kw):
    p = registered(w, **kw)
    return ps.assign(w.office, p, mode=mode, units=units or [w.unit1], on=ASSIGN_ON)


def replied(w, *, code="B", on=REPLY_ON, **kw):
    p = assigned(w, **kw)
    ps.reply(w.unit1_user, p.assignments.get(), text="已会同交警部门设置接送车位。",
             grade=grade(w, code), contacted_member=True, on=on)
    p.refresh_from_db()
    return p


def live(membership, status=None, *, as_of=None):
    """The membership's proposal entries in force (not superseded or void) as of a date."""
    entries = list(Entry.objects.filter(membership=membership))
    effective = [e for e in entries if as_of is None or e.effective <= as_of]
    replaced = {e.supersedes_id for e in effective if e.supersedes_id}
    kept = [e for e in effective if e.pk not in replaced and e.kind == "proposal"]
    return [e for e in kept if status is None or e.attrs.get("status") == status]


def statuses(membership, *, as_of=None) -> list[str]:
    return sorted(e.attrs["status"] for e in live(membership, as_of=as_of))


def rubric(name: str):
    if name == "shixiao-effect":
        return load((REPO / "src/shixiao/assessment/rubrics/shixiao-effect.yaml")
                    .read_text(encoding="utf-8"))
    return load((REPO / f"examples/rubrics/{name}.yaml").read_text(encoding="utf-8"))


def member_score(w, membership, rubric_name: str = "shixiao-effect", *,
                 as_of=D(2026, 12, 31), year=None):
    """The member's total under a rubric, from the database ledger, through the engine."""
    start, end = (D(year, 1, 1), D(year, 12, 31)) if year else (D(2020, 1, 1), as_of)
    entries = [e for e in load_entries(w.committee, start, end, as_of)
               if e.member == str(membership.pk)]
    (result,) = score(rubric(rubric_name), entries, as_of,
                      members={str(membership.pk): membership.role})
    return result
