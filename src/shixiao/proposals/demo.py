"""A year of proposals for the demo committee, made through the real workflow services.

`generate_year(committee, year, seed=…)` files a committee's year of proposals the way the
office would see it happen: most at the January plenary, the rest between sessions; review
(registered, returned, refused on a ground, merged with near-duplicates, converted to an
opinion report), assignment to the topic's own units (single, separate, lead + co-handling,
with an objection upheld and one reassigned), replies graded A/B/C, members' ratings (an
unsatisfied one sends the proposal back for a second round), follow-up reviews at 6 and 12
months that find promises fulfilled, partly kept or unkept, closure with a verified outcome,
key proposals, endorsements, excellent proposals, disclosure, and a few replies that never
came. Every step is a call of `proposals.services` by the person who would take it (the
member, the co-signers, the office, the unit, the leader), backdated with `on=`, so the
audit trail, history and ledger are exactly what production would hold.

Each proposal runs as a script of dated steps; one clock runs all scripts in date order,
so numbers are given in the order of registration, and a step later than `until` (the
demo's today) never happens: what is still open then is open in the demo too.

`plan_year` is pure given the seed and the committee's memberships: it decides topics,
texts, authors and dates. `similarity_eval` calls it again to recover each proposal's demo
topic (the ground truth of the similarity measurement) without storing it in the product.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shixiao.accounts.models import User
from shixiao.accounts.services import create_user
from shixiao.core.choices import UserRole
from shixiao.core.context import request_id_var
from shixiao.orgs.models import Committee, HandlingUnit, Membership, Session, Term

from . import services as svc
from .choices import (
    REPLYING_ROLES,
    AssignmentRole,
    Category,
    HandlingMode,
    Outcome,
    ProposalState,
    ProposerType,
    Satisfaction,
)
from .demo_texts import CITY, TOPIC_BY_KEY, TOPICS, DemoText, generate_proposal
from .models import (
    GONE_ASSIGNMENT_STATES,
    Assignment,
    Endorsement,
    FollowUp,
    Proposal,
    Rating,
    ReasonCode,
    Reply,
    ResultGrade,
)

S = ProposalState
#: Proposals per member and year (research/domain.md §1.8: about one each locally).
PER_MEMBER = 0.95
DAY = dt.timedelta(days=1)

# Final fates decided at planning time, with their share of the year's proposals. Those
# before "not_registered" are late filings still in hand at the year's end.
LATE_FATES = {"draft": 0.02, "submitted": 0.01, "in_review": 0.01, "returned": 0.01,
              "registered": 0.01}
REVIEW_FATES = {"not_registered": 0.04, "converted": 0.04, "refused_then_converted": 0.01,
                "returned_then_handled": 0.03}
MERGE_GROUPS = 0.02  # share of proposals that lead a group of near-duplicates
# Rare handling paths every demo should show, with their share of handled proposals.
SPECIALS = {"overdue": 0.02, "unsatisfied": 0.02, "rehandling_open": 0.005,
            "upheld": 0.005, "reassigned": 0.005, "extension": 0.02, "unkept": 0.03,
            "separate": 0.01, "lead_co": 0.01}

NOT_REGISTERED = [  # (reason code, note to the authors)
    ("no_suggestion", "内容以反映情况为主，未提出具体可行的建议，建议补充调研后另行提交。"),
    ("no_suggestion", "建议过于原则，缺乏可操作的具体措施。"),
    ("personal", "所提事项属个人诉求，已转有关部门按信访渠道处理。"),
    ("litigation", "所涉事项已进入诉讼程序，不宜作为提案办理。"),
    ("academic", "属于学术探讨，建议以调研报告形式报送。"),
    ("promotion", "涉及推介具体企业产品，不符合立案要求。"),
]
RETURN_REASONS = ["请补充近两年的具体数据和调研情况，建议部分请提出可操作的措施。",
                  "一事一案：请将所提两个方面的问题分别提交。",
                  "建议部分较为笼统，请明确责任主体和实施路径后重新提交。"]
OBJECTIONS = ["该事项主要职能不在我单位，建议交由{unit}主办。",
              "所提建议涉及的审批和监管职能已于机构改革中划转，请调整承办单位。"]
_REPLY_HEAD = "{unit}关于市政协第{n}号提案的答复：您提出的《{title}》收悉。"
REPLIES = {
    "A": _REPLY_HEAD + "我单位高度重视，经认真研究，所提建议已基本采纳，"
                       "相关措施已纳入今年出台的实施方案并组织落实。感谢您对我市工作的关心和支持。",
    "B": _REPLY_HEAD + "所提建议针对性强，我单位已将其列入年度工作计划，"
                       "正会同有关部门制定具体措施，预计明年完成，届时将及时向您反馈进展。",
    "C": _REPLY_HEAD + "经研究，所提建议受财力和现行政策限制，目前暂难实施，"
                       "我单位将留作参考，在今后制定相关规划时统筹考虑。",
}
CO_OPINION = "{unit}会办意见：同意主办单位的办理思路，我单位将在职责范围内配合做好经费和政策保障。"
PROGRESS = {
    Outcome.FULFILLED: "答复承诺事项已全部完成，相关制度已印发实施，群众反映良好。",
    Outcome.PARTLY: "部分措施已落实，其余事项受资金和用地因素影响仍在推进中。",
    Outcome.UNKEPT: "因年度预算调整，答复中承诺的项目尚未启动。",
}
EVIDENCE = {
    Outcome.FULFILLED: "提案委员会会同提案人实地查看，查阅了{unit}印发的文件和项目验收资料，"
                       "走访群众{n}人，承诺事项已落实。",
    Outcome.PARTLY: "经实地查看和座谈，{unit}承诺的{n}项措施中部分已完成，其余仍在推进，"
                    "有会议纪要和进度表为证。",
    Outcome.UNKEPT: "回头看发现{unit}答复中承诺的事项未按期落实，项目未立项，"
                    "亦未向提案人说明原因，已约谈承办单位并列入督办。",
}
REHANDLING = ("提案人对办理结果不满意：答复未回应所提具体建议。"
              "商请承办单位重新办理，并与提案人当面沟通。")
ENDORSERS = [("prefecture", "市委书记"), ("prefecture", "市长"), ("prefecture", "分管副市长"),
             ("provincial", "副省长")]
ORGANISATIONS = {"共青团", "总工会", "妇联", "青联", "工商联", "科协", "台联"}


# Planning -----------------------------------------------------------------------------------

@dataclass
class Planned:
    """One proposal as decided before anything is written."""

    index: int
    fate: str
    category: str
    topic: str
    text: DemoText
    authors: list[Membership]  # first author (or drafter of a collective one) first
    proposer_type: str
    drafted: dt.date
    filed: dt.date
    review: dt.date
    collective_name: str = ""
    revised: DemoText | None = None  # the text resubmitted after being returned
    lead: int | None = None  # the plan it is merged into
    followers: list[int] = field(default_factory=list)
    special: str = ""
    key: bool = False
    endorsed: bool = False


def _plenary(committee: Committee, year: int) -> tuple[dt.date, dt.date]:
    session = (Session.objects.filter(term__committee=committee, start__year=year)
               .order_by("start").first())
    if session is None:
        return dt.date(year, 1, 10), dt.date(year, 1, 13)
    return session.start, session.end


def _active(m: Membership, day: dt.date) -> bool:
    return m.start <= day and (m.end is None or m.end >= day)


def _fates(n: int, rng: random.Random) -> list[str]:
    """The fates of `n` proposals: every kind at least once in a committee of 30 or more."""
    fixed = []
    for fate, share in {**LATE_FATES, **REVIEW_FATES}.items():
        count = round(n * share)
        fixed += [fate] * (max(1, count) if n >= 30 else count)
    fixed = fixed[: n // 3]
    fates = fixed + ["handled"] * (n - len(fixed))
    rng.shuffle(fates)
    return fates


def _when(fate: str, rng: random.Random, plenary: tuple[dt.date, dt.date],
          year: int) -> tuple[str, dt.date]:
    """Category and filing day: most at the plenary, late fates in December."""
    if fate in LATE_FATES:
        return Category.BETWEEN_SESSIONS, dt.date(year, 12, rng.randint(1, 20))
    if rng.random() < 0.75:
        start, end = plenary
        return Category.PLENARY, start + rng.randint(-4, (end - start).days - 1) * DAY
    first, last = dt.date(year, 2, 15), dt.date(year, 11, 15)
    return Category.BETWEEN_SESSIONS, first + rng.randint(0, (last - first).days) * DAY


def _collective_name(m: Membership) -> str:
    from shixiao.orgs.demo import SECTORS

    name = m.sector.name if m.sector_id else ""
    party = {s.name: s.party_org for s in SECTORS}.get(name)
    if party:
        return party
    if name in ORGANISATIONS:
        return f"{CITY}{name}"
    return f"{name}别" if name.endswith("界") else f"{name}界别"


def plan_year(committee: Committee, year: int, *, seed: int) -> list[Planned]:
    """Decide the year's proposals: pure given the seed and the committee's memberships."""
    rng = random.Random(f"{seed}:{committee.code}:{year}:proposals")  # noqa: S311 - demo
    first_day, last_day = dt.date(year, 1, 1), dt.date(year, 12, 31)
    memberships = list(Membership.objects.filter(committee=committee, start__lte=last_day)
                       .exclude(end__lt=first_day).select_related("sector").order_by("pk"))
    if not memberships:
        return []
    plenary = _plenary(committee, year)
    # A few members write most proposals; a quarter write none (as first author).
    weight = {m.pk: rng.choices([0, 1, 2, 3, 5], [25, 35, 22, 12, 6])[0] for m in memberships}
    topic_weights = [2 if t.key in {"preschool", "home_elderly", "primary_care",
                                    "business_environment", "old_neighbourhoods"} else 1
                     for t in TOPICS]
    plans: list[Planned] = []

    def add(fate, category, filed, topic=None, review=None, avoid=()) -> Planned:
        index = len(plans)
        active = [m for m in memberships if _active(m, filed) and m not in avoid] or memberships
        first = rng.choices(active, [weight[m.pk] + 0.05 for m in active])[0]
        roll = rng.random()
        others = [m for m in active if m.pk != first.pk]
        if roll < 0.10:
            kind = ProposerType.COLLECTIVE
            same = [m for m in others if m.sector_id == first.sector_id]
            authors = [first] + rng.sample(same, min(len(same), rng.randint(0, 2)))
        elif roll < 0.35 and others:
            kind = ProposerType.JOINT
            authors = [first] + rng.sample(others, min(len(others), rng.randint(1, 4)))
        else:
            kind, authors = ProposerType.INDIVIDUAL, [first]
        topic = topic or rng.choices(TOPICS, topic_weights)[0].key
        texts = random.Random(f"{seed}:{committee.code}:{year}:text:{index}")  # noqa: S311
        text = generate_proposal(texts, topic, year=year)
        revised = (generate_proposal(texts, topic, year=year) if fate.startswith("returned")
                   else None)
        start = dt.date(year, 1, 1)
        drafted = max(start, filed - rng.randint(1, 6) * DAY)
        if review is None:
            review = (max(filed, plenary[1]) + rng.randint(1, 7) * DAY
                      if category == Category.PLENARY else filed + rng.randint(2, 8) * DAY)
        plan = Planned(index=index, fate=fate, category=category, topic=topic, text=text,
                       authors=authors, proposer_type=kind, drafted=drafted, filed=filed,
                       review=review, revised=revised,
                       collective_name=_collective_name(first)
                       if kind == ProposerType.COLLECTIVE else "")
        plans.append(plan)
        return plan

    n = round(len([m for m in memberships if _active(m, plenary[0])]) * PER_MEMBER) or 1
    for fate in _fates(n, rng):
        add(fate, *_when(fate, rng, plenary, year))

    # Groups of near-duplicates on one topic, merged into their lead (并案). The first
    # group's lead is a late one still waiting for assignment, so its followers stay merged.
    handled = [p for p in plans if p.fate == "handled" and p.category == Category.PLENARY]
    late = [p for p in plans if p.fate == "registered"]
    groups = max(2, round(n * MERGE_GROUPS)) if n >= 20 else min(1, len(handled))
    leads = late[:1] + rng.sample(handled, min(len(handled), groups - len(late[:1])))
    for lead in leads:
        for _ in range(rng.choice([1, 1, 2])):
            filed = max(dt.date(year, 1, 1), lead.filed - rng.randint(0, 3) * DAY)
            review = max(filed + DAY, lead.review - rng.randint(0, 2) * DAY)
            # Another member's proposal on the same subject (one member does not file twice).
            follower = add("follower", lead.category, filed, topic=lead.topic, review=review,
                           avoid=lead.authors)
            follower.lead = lead.index
            lead.followers.append(follower.index)

    # The rare handling paths, each on its own plenary proposal outside the merge groups.
    pool = [p for p in handled if not p.followers]
    rng.shuffle(pool)
    for special, share in SPECIALS.items():
        for _ in range(max(1, round(len(handled) * share))):
            wanted = [p for p in pool if len(TOPIC_BY_KEY[p.topic].units) >= 2] \
                if special in ("separate", "lead_co") else pool
            if not wanted:
                break
            chosen = wanted[0]
            chosen.special = special
            pool.remove(chosen)
    registered = [p for p in plans if p.fate in ("handled", "returned_then_handled")]
    for p in registered:
        p.key = rng.random() < 0.07
        p.endorsed = p.special not in ("overdue", "reassigned") and rng.random() < 0.03
    if registered and not any(p.key for p in registered):
        registered[0].key = True
    candidates = [p for p in registered if p.special == ""]
    if candidates and not any(p.endorsed for p in registered):
        candidates[0].endorsed = True
    return plans


# Running dated scripts ------------------------------------------------------------------------

class _Clock:
    """Runs scripts (generators that yield the day of their next step) in date order. A
    step after `until` never runs: that is where the demo's today stops the story."""

    def __init__(self, until: dt.date):
        self.until = until
        self._queue: list = []
        self._seq = 0

    def start(self, script: Iterator[dt.date], after: dt.date | None = None) -> None:
        self._next(script, after)

    def _next(self, script, after) -> None:
        try:
            day = next(script)
        except StopIteration:
            return
        if after is not None and day < after:
            raise AssertionError(f"a demo script went back in time: {day} < {after}")
        if day <= self.until:
            heapq.heappush(self._queue, (day, self._seq, script))
            self._seq += 1

    def run(self) -> None:
        while self._queue:
            day, _seq, script = heapq.heappop(self._queue)
            self._next(script, day)


# The year ---------------------------------------------------------------------------------------

def staff_user(committee: Committee, role: str) -> User:
    """The committee's first active user of `role` (the demo's office, leader …)."""
    user = (User.objects.filter(role=role, committee=committee, is_active=True)
            .order_by("pk").first())
    if user is None:
        raise ValueError(f"the committee {committee.code} has no {role} user")
    return user


def ensure_unit_users(committee: Committee, *, reason: str) -> dict[int, User]:
    """One login per handling unit (unit1, unit2 … in the units' order), created through
    accounts.services with the office login's password; existing unit logins are kept."""
    office = staff_user(committee, UserRole.OFFICE)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    users = {}
    for u in User.objects.filter(role=UserRole.UNIT, handling_unit__committee=committee,
                                 is_active=True).order_by("pk"):
        users.setdefault(u.handling_unit_id, u)
    taken = set(User.objects.filter(username__startswith="unit").values_list("username",
                                                                           flat=True))
    for n, unit in enumerate(HandlingUnit.objects.filter(committee=committee).order_by("pk"),
                             1):
        if unit.pk in users:
            continue
        username = f"unit{n}"
        while username in taken:
            username += "x"
        taken.add(username)
        users[unit.pk] = create_user(admin, username=username, role=UserRole.UNIT,
                                     password_hash=office.password, first_name=unit.name,
                                     committee=committee, handling_unit=unit, reason=reason)
    return users


class _Year:
    """The context every script shares: actors, code lists, the clock."""

    def __init__(self, committee: Committee, year: int, seed: int, until: dt.date,
                 plans: list[Planned]):
        self.committee, self.year, self.seed, self.plans = committee, year, seed, plans
        self.clock = _Clock(until)
        self.reason = f"演示数据（种子 {seed}）"
        self.office = staff_user(committee, UserRole.OFFICE)
        self.leader = staff_user(committee, UserRole.LEADER)
        self.unit_users = ensure_unit_users(committee, reason=self.reason)
        self.units = {u.name: u for u in HandlingUnit.objects.filter(committee=committee)}
        self.term = (Term.objects.filter(committee=committee, start__year__lte=year)
                     .order_by("-start").first())
        svc.ensure_defaults(committee)
        self.grades = {g.code: g for g in ResultGrade.objects.filter(committee=committee)}
        self.reasons = {r.code: r for r in ReasonCode.objects.filter(committee=committee)}
        self.users = {m.pk: m.person.user for m in Membership.objects.filter(
            committee=committee).select_related("person__user")}
        self.pk_of: dict[int, int] = {}  # plan index → proposal pk
        plenary_end = _plenary(committee, year)[1]
        # The assignment meeting (交办会): the first Thursday at least seven weeks after
        # the plenary closes.
        meeting = plenary_end + 49 * DAY
        self.meeting = meeting + ((3 - meeting.weekday()) % 7) * DAY

    def rng(self, what: str, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{self.committee.code}:{self.year}:{what}:{index}")  # noqa: S311

    def proposal(self, plan: Planned) -> Proposal:
        return Proposal.objects.get(pk=self.pk_of[plan.index])

    def filer(self, plan: Planned) -> User:
        """Who files and submits: the first author, or the office for a collective."""
        user = self.users.get(plan.authors[0].pk)
        if plan.proposer_type == ProposerType.COLLECTIVE or user is None:
            return self.office
        return user

    def unit_user(self, unit_id: int) -> User:
        return self.unit_users[unit_id]

    # Drafting and review -------------------------------------------------------------------

    def _sign(self, p: Proposal, on: dt.date) -> None:
        for author in p.authors.filter(role="co_signer").select_related("membership"):
            user = self.users.get(author.membership_id)
            if user is not None:
                svc.confirm_co_signature(user, p, on=on)
            else:
                svc.confirm_co_signature(self.office, p, author=author, on=on)

    def life(self, plan: Planned) -> Iterator[dt.date]:
        rng = self.rng("life", plan.index)
        day = plan.drafted
        yield day
        actor = self.filer(plan)
        p = svc.create_draft(actor, committee=self.committee, term=self.term,
                             title=plan.text.title, body=plan.text.body,
                             category=plan.category, proposer_type=plan.proposer_type,
                             authors=plan.authors, collective_name=plan.collective_name,
                             on=day)
        self.pk_of[plan.index] = p.pk
        day = max(day, min(plan.filed, day + rng.randint(0, 2) * DAY))
        yield day
        self._sign(p, day)
        if plan.fate == "draft":
            return
        day = max(day, plan.filed)
        yield day
        svc.submit(actor, p, on=day)
        if plan.fate == "submitted":
            return
        day = max(day, plan.review)
        yield day
        svc.start_review(self.office, p, on=day)
        if plan.fate in ("in_review", "follower"):
            return
        if plan.fate.startswith("returned"):
            day += rng.randint(2, 5) * DAY
            yield day
            svc.return_for_edit(self.office, p, reason=rng.choice(RETURN_REASONS), on=day)
            if plan.fate == "returned":
                return
            day += rng.randint(4, 10) * DAY
            yield day
            svc.update_draft(actor, p, title=plan.revised.title, body=plan.revised.body,
                             on=day)
            self._sign(p, day)
            svc.submit(actor, p, on=day)
            day += rng.randint(2, 5) * DAY
            yield day
            svc.start_review(self.office, p, on=day)
        if plan.fate in ("not_registered", "refused_then_converted"):
            day += rng.randint(10, 25) * DAY
            yield day
            code, note = rng.choice(NOT_REGISTERED)
            svc.not_register(self.office, p, reason_code=self.reasons[code], note=note, on=day)
            if plan.fate == "not_registered":
                return
            day += rng.randint(7, 20) * DAY
            yield day
            svc.convert_to_report(self.office, p, on=day)
            return
        if plan.fate == "converted":
            day += rng.randint(10, 25) * DAY
            yield day
            svc.convert_to_report(self.office, p, on=day)
            return
        if plan.followers:
            day = max([day] + [self.plans[i].review for i in plan.followers])
            day += rng.randint(2, 6) * DAY
            yield day
            for index in plan.followers:
                svc.merge(self.office, self.proposal(self.plans[index]), p,
                          note="内容相近，并案办理、分别答复", on=day)
        day += rng.randint(5, 25) * DAY
        yield day
        svc.register(self.office, p, on=day)
        if plan.fate == "registered":
            return
        yield from self.handle(plan, rng, day)

    # Handling ----------------------------------------------------------------------------------

    def _units(self, plan: Planned, rng: random.Random) -> tuple[str, list]:
        natural = [self.units[name] for name in TOPIC_BY_KEY[plan.topic].units]
        others = sorted((u for u in self.units.values() if u not in natural), key=lambda u: u.pk)
        if plan.special == "reassigned":
            # A wrong first choice that the unit objects to and the office corrects.
            return HandlingMode.SINGLE, [rng.choice(others)]
        if rng.random() < 0.1 and plan.special not in ("separate", "lead_co"):
            natural = [rng.choice(others)] + natural[1:]  # the office's own judgement
        if plan.special == "separate" or (len(natural) > 1 and rng.random() < 0.15):
            return HandlingMode.SEPARATE, natural[:2]
        if plan.special == "lead_co" or (len(natural) > 1 and rng.random() < 0.6):
            return HandlingMode.LEAD_CO, natural
        return HandlingMode.SINGLE, natural[:1]

    def handle(self, plan: Planned, rng: random.Random, day: dt.date) -> Iterator[dt.date]:
        mode, units = self._units(plan, rng)
        plenary = plan.category == Category.PLENARY and plan.fate == "handled"
        day = max(day + DAY, self.meeting) if plenary else day + rng.randint(5, 15) * DAY
        assigned = day
        yield day
        p = self.proposal(plan)
        svc.assign(self.office, p, mode=mode, units=units, on=day)
        if plan.key:
            svc.mark_key(self.office, p, self.leader, on=day)
        lead_unit = self.units[TOPIC_BY_KEY[plan.topic].units[0]]
        if plan.special in ("upheld", "reassigned"):
            a = p.assignments.filter(role__in=REPLYING_ROLES).order_by("pk").first()
            day += rng.randint(1, 3) * DAY
            yield day
            better = lead_unit if lead_unit.pk != a.unit_id else next(
                u for u in self.units.values() if u.pk != a.unit_id)
            svc.object_to_assignment(self.unit_user(a.unit_id), a, on=day, reason=rng.choice(
                OBJECTIONS).format(unit=better.name))
            day += rng.randint(2, 5) * DAY
            yield day
            a.refresh_from_db()
            if plan.special == "upheld":
                svc.uphold_assignment(self.office, a, on=day,
                                      note="经研究，该事项属于本单位职责范围，维持原交办意见。")
            else:
                svc.reassign(self.office, a, lead_unit, on=day,
                             note="承办单位异议成立，调整由职能部门承办。")
        for a in Assignment.objects.filter(proposal=p, role=AssignmentRole.CO).order_by("pk"):
            day = max(day, assigned + rng.randint(14, 28) * DAY)
            yield day
            svc.submit_co_opinion(self.unit_user(a.unit_id), a, on=day,
                                  text=CO_OPINION.format(unit=a.unit.name))
        if plan.endorsed:
            day = max(day, assigned + rng.randint(20, 40) * DAY)
            yield day
            level, leader = rng.choice(ENDORSERS)
            svc.record_endorsement(self.office, p, level=level, leader=leader, on=day,
                                   note="请有关部门认真研究办理。")
        if plan.special == "extension":
            day = max(day, assigned + rng.randint(30, 60) * DAY)
            yield day
            svc.approve_extension(self.office, self.proposal(plan), on=day,
                                  note="涉及跨部门政策调整，承办单位事先书面说明，同意延期答复。")
        if plan.special == "overdue":
            return  # the reply never came: the metrics show it red
        if plan.special == "extension":
            replied = assigned + rng.randint(100, 170) * DAY
        elif rng.random() < 0.08:
            replied = assigned + rng.randint(95, 125) * DAY  # late, but replied
        else:
            replied = assigned + rng.randint(40, 85) * DAY
        day = max(day + DAY, replied)
        grade = self._grade(plan, rng)
        yield day
        self._reply_all(plan, grade, day, rng)
        for index in plan.followers:
            follower = self.plans[index]
            self.clock.start(self.after_reply(follower, self.rng("life", index), day, grade),
                             after=day)
        yield from self.after_reply(plan, rng, day, grade)

    def _grade(self, plan: Planned, rng: random.Random) -> str:
        if plan.special == "unkept":
            return "B"
        if plan.special in ("unsatisfied", "rehandling_open"):
            return rng.choice("BC")
        weights = [40, 50, 10] if plan.key else [28, 57, 15]
        return rng.choices("ABC", weights)[0]

    def _reply_all(self, plan: Planned, grade: str, day: dt.date, rng: random.Random) -> None:
        """Every replying unit answers the proposal and each proposal merged into it."""
        p = self.proposal(plan)
        targets = [p] + [self.proposal(self.plans[i]) for i in plan.followers]
        live = (Assignment.objects.filter(proposal=p, role__in=REPLYING_ROLES)
                .exclude(state__in=GONE_ASSIGNMENT_STATES).select_related("unit").order_by("pk"))
        for a in live:
            for target in targets:
                target.refresh_from_db()
                svc.reply(self.unit_user(a.unit_id), a, grade=self.grades[grade],
                          proposal=target, contacted_member=rng.random() < 0.9, on=day,
                          text=REPLIES[grade].format(unit=a.unit.name, title=target.title,
                                                     n=target.lead.display_number))

    # After the reply ----------------------------------------------------------------------------

    def _rate_round(self, plan: Planned, rng: random.Random, day: dt.date, round_no: int):
        """Each author rates the round's reply (most within the 15 working days); returns
        the day of the last rating."""
        p = self.proposal(plan)
        forced = plan.special in ("unsatisfied", "rehandling_open") and round_no == 1
        authors = list(p.authors.select_related("membership").order_by("rank"))
        days = sorted(day + rng.randint(3, 25) * DAY for _ in authors)
        for rank, (author, when) in enumerate(zip(authors, days, strict=True)):
            user = self.users.get(author.membership_id)
            if user is None or (rank and rng.random() < 0.1):
                continue  # not every co-signer sends the rating back
            if forced and rank == 0:
                process, result = Satisfaction.BASICALLY, Satisfaction.UNSATISFIED
            else:
                process = rng.choices(Satisfaction.values, [88, 11, 1])[0]
                result = rng.choices(Satisfaction.values, [80, 18, 2])[0]
            yield when
            day = when
            svc.rate(user, p, process=process, result=result, on=when,
                     contact_confirmed=rng.random() < 0.95,
                     comment="答复未回应具体建议。" if Satisfaction.UNSATISFIED in
                     (process, result) else "")
        return day

    def after_reply(self, plan: Planned, rng: random.Random, replied: dt.date,
                    grade: str) -> Iterator[dt.date]:
        day = yield from self._rate_round(plan, rng, replied, 1)
        p = self.proposal(plan)
        unsatisfied = Rating.objects.filter(proposal=p, round=1).filter(
            Q(process=Satisfaction.UNSATISFIED) | Q(result=Satisfaction.UNSATISFIED)).exists()
        solo = not plan.followers and plan.lead is None
        if unsatisfied and solo and (plan.special or rng.random() < 0.5):
            day += rng.randint(5, 12) * DAY
            yield day
            svc.request_rehandling(self.office, p, reason=REHANDLING, on=day)
            if plan.special == "rehandling_open":
                return  # the second reply is overdue
            day += rng.randint(30, 60) * DAY
            yield day
            grade = rng.choice("AB")
            self._reply_all(plan, grade, day, rng)
            day = yield from self._rate_round(plan, rng, day, 2)
        if rng.random() < 0.6:
            day += rng.randint(5, 20) * DAY
            yield day
            public = rng.random() < 0.92
            svc.set_disclosure(self.office, self.proposal(plan), public=public, on=day,
                               reason="经提案人同意，提案及答复向社会公开" if public
                               else "涉及个人信息，提案人不同意公开")
        yield from self.follow_up(plan, rng, day, grade)

    def _findings(self, plan: Planned, rng: random.Random) -> list[str]:
        """What the 6- and 12-month reviews find: promises are often only partly kept."""
        if plan.special == "unkept":
            return [Outcome.UNKEPT, rng.choice([Outcome.UNKEPT, Outcome.PARTLY])]
        first = rng.choices([Outcome.FULFILLED, Outcome.PARTLY, Outcome.UNKEPT], [40, 50, 10])[0]
        if first == Outcome.FULFILLED:
            second = rng.choices([Outcome.FULFILLED, Outcome.UNKEPT], [94, 6])[0]
        else:
            second = rng.choices([Outcome.FULFILLED, Outcome.PARTLY, Outcome.UNKEPT],
                                 [50, 38, 12])[0]
        return [first, second]

    def follow_up(self, plan: Planned, rng: random.Random, day: dt.date,
                  grade: str) -> Iterator[dt.date]:
        p = self.proposal(plan)
        if not p.follow_ups.exists():
            if grade == "C":  # kept for reference: nothing was promised, nothing to verify
                if rng.random() < 0.6:
                    day += rng.randint(10, 40) * DAY
                    yield day
                    svc.close(self.office, p, outcome=Outcome.NONE, on=day)
                return
            if rng.random() > 0.4:
                return  # an A reply left at that: nobody checked it was done
            day += rng.randint(5, 20) * DAY
            yield day
            svc.add_follow_up(self.office, p, horizon_months=6, on=day)
        findings = self._findings(plan, rng)
        unit = (p.lead.assignments.filter(role__in=REPLYING_ROLES)
                .exclude(state__in=GONE_ASSIGNMENT_STATES).select_related("unit")
                .order_by("pk").first())
        latest, skipped = "", False
        for step, f in enumerate(FollowUp.objects.filter(proposal=p).order_by("due", "pk")):
            if step >= len(findings):
                break  # the 24-month review lies beyond the demo's today
            if plan.special != "unkept" and rng.random() < 0.05:
                skipped = True  # nobody reviewed it: the follow-up shows red once due
                break
            finding = findings[step]
            if rng.random() < 0.7:  # most units report before the review; some never do
                day = max(day, f.due - rng.randint(10, 25) * DAY)
                yield day
                svc.report_progress(self.unit_user(unit.unit_id), f, text=PROGRESS[finding],
                                    on=day)
            day = max(day, f.due + rng.randint(0, 15) * DAY)
            yield day
            evidence = EVIDENCE[finding].format(unit=unit.unit.name, n=rng.randint(3, 12))
            svc.review_follow_up(self.office, f, finding=finding, evidence=evidence, on=day,
                                 member_took_part=rng.random() < 0.6)
            latest = finding
        # Closed once the reviews due by the demo's today are in; a closed proposal's later
        # follow-up (24 months) stays scheduled, as the service keeps it.
        if latest and not skipped and rng.random() < 0.7:
            day += rng.randint(5, 30) * DAY
            yield day
            svc.close(self.office, self.proposal(plan), outcome=latest, on=day)

    def excellent(self) -> Iterator[dt.date]:
        """Before the next plenary the committee selects its excellent proposals: one in ten
        of those whose reviews found a promise fulfilled (1–2% of the year's proposals)."""
        day = dt.date(self.year + 1, 1, 6)
        yield day
        rng = self.rng("excellent", 0)
        mine = Proposal.objects.filter(committee=self.committee, year=self.year,
                                       state__in=(S.REPLIED, S.FOLLOW_UP, S.CLOSED))
        best = list(mine.filter(follow_ups__finding=Outcome.FULFILLED).distinct().order_by("pk"))
        best = best or list(mine.order_by("pk"))
        for p in rng.sample(best, min(len(best), max(1, round(len(best) * 0.1)))):
            svc.select_excellent(self.office, p, year=self.year, on=day)

    def run(self) -> None:
        for plan in self.plans:
            self.clock.start(self.life(plan))
        self.clock.start(self.excellent())
        self.clock.run()


def generate_year(committee: Committee, year: int, *, seed: int,
                  today: dt.date | None = None) -> dict:
    """File and handle `year`'s proposals of `committee` through the services, up to
    `today` (the demo's today, default the real one): a step after it never happens, so
    for a year in progress only its past is there, and an earlier year's proposals stop
    where their story had got to.

    Returns a summary: counts by state and of each workflow event, and `topics`, the demo
    topic of each proposal by primary key (the ground truth of the similarity measurement;
    it is not stored anywhere in the product)."""
    until = today or timezone.localdate()
    plans = plan_year(committee, year, seed=seed)
    token = request_id_var.set(f"demo-proposals-{uuid.uuid4().hex}")
    try:
        with transaction.atomic():
            run = _Year(committee, year, seed, until, plans)
            run.run()
    finally:
        request_id_var.reset(token)
    topics = {run.pk_of[p.index]: p.topic for p in plans if p.index in run.pk_of}
    return {**summary(committee, year), "unit_logins": len(run.unit_users), "topics": topics}


def summary(committee: Committee, year: int) -> dict:
    """What the committee's proposals of `year` hold, for the command and the docs."""
    mine = Proposal.objects.filter(committee=committee, year=year)
    follow_ups = FollowUp.objects.filter(proposal__in=mine, reviewed_on__isnull=False)
    ratings = Rating.objects.filter(proposal__in=mine)
    return {
        "proposals": mine.count(),
        "states": dict(sorted(Counter(mine.values_list("state", flat=True)).items())),
        "categories": dict(Counter(mine.values_list("category", flat=True))),
        "proposer_types": dict(Counter(mine.values_list("proposer_type", flat=True))),
        "merged": mine.filter(merged_into__isnull=False).count(),
        "converted": mine.filter(state=S.CONVERTED).count(),
        "assignments": Assignment.objects.filter(proposal__in=mine).count(),
        "objections": Assignment.objects.filter(proposal__in=mine,
                                                objected_on__isnull=False).count(),
        "grades": dict(sorted(Counter(Reply.objects.filter(
            proposal__in=mine, round=1).values_list("grade__code", flat=True)).items())),
        "ratings": ratings.count(),
        "unsatisfied_ratings": ratings.filter(Q(process=Satisfaction.UNSATISFIED)
                                              | Q(result=Satisfaction.UNSATISFIED)).count(),
        "rehandled": mine.filter(round__gt=1).count(),
        "follow_up_findings": dict(sorted(Counter(follow_ups.values_list("finding", flat=True))
                                          .items())),
        "key": mine.filter(is_key=True).count(),
        "excellent": mine.filter(excellent_year__isnull=False).count(),
        "endorsements": Endorsement.objects.filter(proposal__in=mine).count(),
        "public": mine.filter(public=True).count(),
    }
