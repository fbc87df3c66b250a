"""The demo is built around the day it is made: whatever that day, the current term
contains it, the assessed year is the last complete one and is scored, the current year
holds only its past, and a member's own pages have something to show. The same seed and
day give the same database; another day gives the same shape, shifted."""

import datetime as dt
import hashlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client

from shixiao.assessment.models import ScoreRun
from shixiao.ledger.models import Entry
from shixiao.orgs import demo
from shixiao.orgs.models import Committee, Membership, Session, Term
from shixiao.proposals.choices import ProposalState
from shixiao.proposals.models import Proposal, ProposalAuthor, ProposalEvent
from shixiao.reports.models import OpinionReport

MEMBERS, SEED = 12, 3

#: Date fields that are the committee's calendar or a deadline, not something that
#: happened: they may lie after the demo's today.
SCHEDULED = {
    ("orgs.term", "end"), ("orgs.session", "start"), ("orgs.session", "end"),
    ("proposals.proposal", "reply_due"), ("proposals.assignment", "objection_due"),
    ("proposals.assignment", "reply_due"), ("proposals.followup", "due"),
    ("reports.opinionreport", "edit_due"),
}


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("shixiao.")
            and m._meta.managed and not m._meta.proxy]


def dated_fields(model):
    """The model's own date fields (not timestamps of when a row was written)."""
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)]


def dates_after(today: dt.date) -> list[tuple[str, str, dt.date]]:
    late = []
    for model in project_models():
        label = model._meta.label_lower
        for f in dated_fields(model):
            if (label, f.name) in SCHEDULED:
                continue
            for value in model.objects.filter(**{f"{f.name}__gt": today}).values_list(
                    f.name, flat=True)[:3]:
                late.append((label, f.name, value))
    return late


def digest() -> str:
    """A digest of every generated row, leaving out what differs between two runs on the
    same inputs by design: when rows were written, the audit chain built on those
    timestamps, request ids and password salts."""
    h = hashlib.sha256()
    for model in sorted(project_models(), key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        if label.startswith("audit."):
            continue
        names = [f.attname for f in model._meta.concrete_fields
                 if not isinstance(f, models.DateTimeField) and f.name != "password"]
        h.update(label.encode())
        for row in model.objects.order_by("pk").values_list(*names):
            h.update(repr(row).encode())
    for row in (apps.get_model("accounts", "User").objects.order_by("pk")
                .values_list("username", "role", "first_name")):
        h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture
def flushable(db):
    """PostgreSQL refuses to TRUNCATE (flush) with foreign-key checks still deferred in the
    same transaction; the test's transaction checks them at once."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def run_on(monkeypatch):
    """`run_on(day)`: the real clock reads `day` (10:00 UTC), as when someone runs
    `make demo` on that day. The services refuse acts dated after the real today, so a
    demo of a later day can only be built on that day."""
    from django.utils import timezone

    def set_day(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_day


def build(today: dt.date, members: int = MEMBERS, seed: int = SEED) -> str:
    out = io.StringIO()
    call_command("demo_data", members=members, seed=seed, today=today.isoformat(),
                 fresh=True, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("today", [dt.date(2026, 12, 3), dt.date(2027, 1, 5),
                                   dt.date(2028, 2, 29), dt.date(2031, 7, 1)])
def test_the_demo_is_current_on_the_day_it_is_built(flushable, run_on, today):
    run_on(today)
    text = build(today)
    assessed = today.year - 1
    assert f"{assessed} is the assessed year" in text
    city = Committee.objects.get(code=demo.CITY_CODE)

    term = Term.objects.get(committee=city)
    assert term.start <= dt.date(assessed, 1, 1) and term.end >= today
    assert Term.objects.get(committee__code=demo.PROVINCE_CODE).end >= today
    assert Membership.objects.filter(committee=city).current().count() >= MEMBERS - 1
    assert Session.objects.filter(term=term, start__year=assessed).exists()

    assert dates_after(today) == []
    assert not Proposal.objects.filter(year__gt=today.year).exists()
    assert not Proposal.objects.filter(excellent_year__gt=assessed).exists()

    # The assessed year is complete and scored; the current year is in progress.
    run = ScoreRun.objects.get(committee=city)
    assert run.year == assessed and run.as_of <= today
    assert Proposal.objects.filter(committee=city, year=assessed).count() >= MEMBERS // 2
    assert Entry.objects.filter(committee=city, date__year=assessed).exists()
    assert OpinionReport.objects.filter(committee=city, submitted_on__year=assessed).exists()
    # Work carried over from the assessed year goes on into this one.
    assert ProposalEvent.objects.filter(proposal__year=assessed,
                                        on__year=today.year).exists() or today.month == 1

    # A member's own pages show their assessed year's record.
    author = (ProposalAuthor.objects.filter(
        proposal__committee=city, proposal__year=assessed, proposal__registered_on__isnull=False,
        membership__person__user__isnull=False).select_related("proposal",
                                                              "membership__person__user")
        .order_by("pk").first())
    client = Client()
    client.force_login(author.membership.person.user)
    page = client.get(f"/me/record/?year={assessed}")
    assert page.status_code == 200
    assert author.proposal.title in page.content.decode()

    # In January as in July, /me/ is not empty: the assessed year's proposals still open
    # (awaiting a reply or a follow-up review) are there, waiting on someone.
    open_states = [ProposalState.ASSIGNED, ProposalState.REHANDLING, ProposalState.FOLLOW_UP]
    waiting = (ProposalAuthor.objects.filter(
        proposal__committee=city, proposal__year=assessed, proposal__state__in=open_states,
        membership__end__isnull=True, membership__person__user__isnull=False)
        .select_related("membership__person__user").order_by("pk").first())
    client.force_login(waiting.membership.person.user)
    home = client.get(f"/me/?membership={waiting.membership_id}")
    assert home.status_code == 200 and home.context["open_count"] >= 1


def shape() -> tuple:
    """What a seed decides whatever the day: who sits where, and how much work there is."""
    city = Committee.objects.get(code=demo.CITY_CODE)
    seats = sorted(Membership.objects.filter(committee=city).values_list(
        "person__name", "role", "sector__name", "number"))
    term = Term.objects.get(committee=city)
    return (seats, Session.objects.filter(term=term).count(),
            (term.end - term.start).days // 365)


def test_the_same_seed_and_day_give_the_same_database_and_another_day_the_same_shape(
        flushable):
    today = dt.date(2026, 6, 30)  # a day before the real one: no clock to set
    build(today)
    first, first_shape = digest(), shape()
    assert dates_after(today) == []
    build(today)
    assert digest() == first
    build(dt.date(2025, 11, 11))
    assert shape() == first_shape
    assert digest() != first
    assert Term.objects.get(committee__code=demo.CITY_CODE).start == dt.date(2022, 1, 1)


def test_today_after_the_real_date_or_not_a_date_is_refused_with_the_option_named(db):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match="--today .* is after today"):
        call_command("demo_data", members=MEMBERS, today=tomorrow.isoformat(),
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="--today '2027-13-01' is not a date"):
        call_command("demo_data", members=MEMBERS, today="2027-13-01", stdout=io.StringIO())
    assert not Committee.objects.exists()


def test_the_calendar_places_the_years_and_the_term_around_today():
    for today in [dt.date(2026, 12, 3), dt.date(2027, 1, 1), dt.date(2028, 2, 29),
                  dt.date(2031, 12, 31)]:
        cal = demo.DemoCalendar(today)
        assert (cal.assessed_year, cal.current_year) == (today.year - 1, today.year)
        start, end = cal.city_term
        assert start <= dt.date(cal.assessed_year, 1, 1) and today <= end
        assert [s.year for s, _ in cal.city_sessions] == list(range(start.year, end.year + 1))
        assert all(s.month == 1 and s.weekday() == 4 and e > s for s, e in cal.city_sessions)
        p_start, p_end = cal.province_term
        assert p_start <= dt.date(cal.assessed_year, 1, 1) and today <= p_end
