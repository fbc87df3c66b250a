"""A year of opinion reports (社情民意信息) for the demo committee, through the real services.

Shapes follow research/domain.md §2: many members write none, a few write many (about 1.2
per member on average); the office edits most, sends them to the city's Party committee and
government and some on to the provincial CPPCC, and closes a fifth unused; adoption is steep
(about a third by the city, one in ten by the province, a handful nationally) and a few are
endorsed (批示). Reports converted from proposals (created by the proposals demo) go the same
way from their conversion day. A member's draft stays a draft.

Submission dates are the office's: only the office may record a report handed in on
another day (reports.services.submit), so the demo's reports are entered by the office for
their authors, as a paper submission would be.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter

from django.db import transaction
from django.utils import timezone

from shixiao.core.choices import UserRole
from shixiao.core.context import request_id_var
from shixiao.orgs.models import Committee, Membership
from shixiao.proposals.demo import staff_user
from shixiao.proposals.demo_texts import generate_report
from shixiao.proposals.models import ProposalEvent

from . import services as rs
from .models import Adoption, Endorsement, OpinionReport, ReportState

DAY = dt.timedelta(days=1)
CITY_RECIPIENT = "中共示范市委办公室、示范市人民政府办公室"
PROVINCE_RECIPIENT = "示范省政协办公厅"
ADOPTERS = {"prefecture": "示范市政协《社情民意》", "provincial": "示范省政协《社情民意》",
            "national": "全国政协《政协信息》"}
LEADERS = {"prefecture": [("principal", "市委书记"), ("principal", "市长"),
                          ("other", "分管副市长"), ("other", "市委常委、秘书长")],
           "provincial": [("other", "副省长"), ("principal", "省委书记")]}
NOT_USED = ["所反映问题已在近期出台的政策中得到解决。", "内容与已报送信息重复，未予采用。",
            "情况较为个别，缺乏普遍性，转有关部门参考。"]


def _edited(body: str) -> str:
    """The office's copy: the background section folded into the text, as editors do."""
    return (body.replace("一、基本情况\n", "").replace("二、原因分析", "一、原因分析")
            .replace("三、意见建议", "二、意见建议"))


class _Year:
    def __init__(self, committee: Committee, year: int, seed: int, until: dt.date):
        self.committee, self.year, self.seed, self.until = committee, year, seed, until
        self.office = staff_user(committee, UserRole.OFFICE)
        self.issues = Counter()

    def rng(self, what: str, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{self.committee.code}:{self.year}:{what}:{index}")  # noqa: S311

    def write(self, index: int, day: dt.date, authors: list[Membership]) -> None:
        rng = self.rng("report", index)
        text = generate_report(rng, year=self.year)
        first = authors[0]
        user = first.person.user
        if rng.random() < 0.04 and user is not None and len(authors) == 1:
            # Still being written: the member's own draft, seen by nobody else.
            rs.create_draft(user, committee=self.committee, title=text.title, body=text.body)
            return
        report = rs.create_draft(self.office, committee=self.committee, title=text.title,
                                 body=text.body, authors=authors)
        rs.submit(self.office, report, on=day)
        self.handle(report, day, rng)

    def handle(self, report: OpinionReport, day: dt.date, rng: random.Random) -> None:
        """The office's part: edit, send, record outcomes or close it, archive. Stops at
        the demo's today."""
        def at(days_from: int, days_to: int) -> dt.date | None:
            nonlocal day
            day += rng.randint(days_from, days_to) * DAY
            return day if day <= self.until else None

        unused = rng.random() < 0.2
        if rng.random() < 0.65:
            rs.start_editing(self.office, report)
            if not (on := at(2, 8)):
                return
            report = rs.save_edit(self.office, report, edited_body=_edited(report.body), on=on)
        if unused:
            if on := at(5, 20):
                rs.mark_not_used(self.office, report, reason=rng.choice(NOT_USED), on=on)
            return
        if not (sent := at(2, 12)):
            return
        sends = [{"to_level": "prefecture", "recipient": CITY_RECIPIENT, "on": sent}]
        upward = rng.random() < 0.3
        if upward:
            sends.append({"to_level": "provincial", "recipient": PROVINCE_RECIPIENT, "on": sent})
        report = rs.send_upward(self.office, report, sends=sends)
        outcomes = 0
        if rng.random() < 0.35 and (on := at(3, 20)):
            outcomes += self.adopt(report, "prefecture", on, rng)
        if upward and rng.random() < 0.3 and (on := at(10, 40)):
            outcomes += self.adopt(report, "provincial", on, rng)
            if rng.random() < 0.1 and (on := at(15, 60)):
                outcomes += self.adopt(report, "national", on, rng)
        if rng.random() < (0.7 if outcomes else 0.4) and (on := at(10, 60)):
            rs.archive(self.office, OpinionReport.objects.get(pk=report.pk), on=on)

    def adopt(self, report: OpinionReport, level: str, on: dt.date, rng: random.Random) -> int:
        self.issues[level] += 1
        rs.record_adoption(self.office, report, level=level, body=ADOPTERS[level], on=on,
                           issue_no=f"{on.year}年第{(self.issues[level] + 2) // 3}期")
        endorse = {"prefecture": 0.12, "provincial": 0.1}.get(level, 0)
        later = on + rng.randint(5, 30) * DAY
        if rng.random() < endorse and later <= self.until:
            rank, leader = rng.choice(LEADERS[level])
            rs.record_endorsement(self.office, report, level=level, leader_rank=rank,
                                  leader=leader, on=later, content="请有关部门研究办理。")
        return 1

    def run(self) -> None:
        rng = self.rng("plan", 0)
        first_day, last_day = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        memberships = list(Membership.objects.filter(
            committee=self.committee, start__lte=last_day).exclude(end__lt=first_day)
            .select_related("person__user").order_by("pk"))
        items = []
        for m in memberships:
            for _ in range(rng.choices([0, 1, 2, 3, 5, 8], [45, 25, 14, 9, 5, 2])[0]):
                day = dt.date(self.year, 1, 5) + rng.randint(0, 349) * DAY
                if m.start <= day and (m.end is None or m.end >= day):
                    co = [c for c in rng.sample(memberships, 2) if c.pk != m.pk]
                    items.append((day, m.pk, [m] + co[:1] if rng.random() < 0.15 else [m]))
        items.sort(key=lambda item: (item[0], item[1]))
        for index, (day, _pk, authors) in enumerate(items):
            if day <= self.until:
                self.write(index, day, authors)
        converted = {e.proposal_id: e.on for e in ProposalEvent.objects.filter(
            proposal__committee=self.committee, action="converted")}
        for n, report in enumerate(OpinionReport.objects.filter(
                committee=self.committee, state=ReportState.SUBMITTED,
                source_proposal__isnull=False, submitted_on__year=self.year).order_by("pk")):
            start = max(report.submitted_on, converted.get(report.source_proposal_id,
                                                           report.submitted_on))
            self.handle(report, start, self.rng("converted", n))


def generate_year(committee: Committee, year: int, *, seed: int,
                  today: dt.date | None = None) -> dict:
    """Write, submit and handle `year`'s opinion reports of `committee`, up to `today`
    (the demo's today, default the real one, as for proposals); returns counts by state
    and outcome."""
    until = today or timezone.localdate()
    token = request_id_var.set(f"demo-reports-{uuid.uuid4().hex}")
    try:
        with transaction.atomic():
            _Year(committee, year, seed, until).run()
    finally:
        request_id_var.reset(token)
    return summary(committee, year)


def summary(committee: Committee, year: int) -> dict:
    mine = OpinionReport.objects.filter(committee=committee)
    dated = mine.filter(submitted_on__year=year)
    return {
        "reports": dated.count() + mine.filter(state=ReportState.DRAFT).count(),
        "states": dict(sorted(Counter(mine.values_list("state", flat=True)).items())),
        "from_proposals": dated.filter(source_proposal__isnull=False).count(),
        "edited": dated.filter(edited_on__isnull=False).count(),
        "adoptions": dict(sorted(Counter(Adoption.objects.filter(report__in=dated)
                                         .values_list("level", flat=True)).items())),
        "endorsements": dict(sorted(Counter(Endorsement.objects.filter(report__in=dated)
                                            .values_list("level", flat=True)).items())),
    }
