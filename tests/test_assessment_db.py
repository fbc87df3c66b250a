"""Database mode: the ledger in the database scores exactly like the same ledger file, and
results are stored per member, period and rubric version, with their explanation."""

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from shixiao.assessment import ledgerfile
from shixiao.assessment.models import MemberScore, RubricVersion, ScoreRun
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.core.choices import MembershipRole
from shixiao.ledger import services as ledger
from shixiao.ledger.kinds import validate_attrs
from shixiao.orgs import services as org

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "examples" / "rubrics"
LEDGERS = ROOT / "examples" / "ledgers"
EXPECTED = {"guangshui": {"strong": "108", "average": "68.5", "weak": "10"}}


def load_example_into_db(world, name: str, year: int) -> dict[str, object]:
    """Create one membership per example member and record its entries via the service."""
    file_ledger = ledgerfile.read(LEDGERS / f"{name}.yaml")
    term = org.create_term(world.admin, committee=world.committee, number=year,
                           start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    memberships = {}
    for member_id, info in file_ledger.members.items():
        person = org.create_person(world.office, name=f"示例{member_id}")
        memberships[member_id] = org.create_membership(
            world.office, person=person, committee=world.committee, term=term,
            role=info.role, sector=world.sector1, start=dt.date(year, 1, 1))
    ids = {}
    for entry in file_ledger.entries:
        ids[entry.id] = ledger.record_entry(
            world.office, memberships[entry.member], kind=entry.kind, date=entry.date,
            effective=entry.effective, attrs=entry.attrs,
            supersedes=ids.get(entry.supersedes))
    return memberships


@pytest.mark.parametrize("name", ["guangshui", "minhang"])
def test_example_ledgers_fit_the_ledger_attribute_specs(name):
    for entry in ledgerfile.read(LEDGERS / f"{name}.yaml").entries:
        assert validate_attrs(entry.kind, entry.attrs) == {}, entry.id


def test_database_scores_equal_the_worked_examples(world):
    memberships = load_example_into_db(world, "guangshui", 2017)
    version = register_rubric(world.office, world.committee,
                              (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8"))
    scored = score_committee(world.office, world.committee, version, year=2017)
    by_membership = {s.membership_id: s for s in scored.run.scores.all()}
    for example, expected in EXPECTED["guangshui"].items():
        stored = by_membership[memberships[example].pk]
        assert stored.total == Decimal(expected)
        assert Decimal(str(stored.explanation["total"])) == Decimal(expected)
        assert stored.explanation["lines"], "every score carries its explanation"


def test_db_results_equal_file_results_for_minhang(world):
    from shixiao.assessment import engine, rubric

    text = (RUBRICS / "minhang.yaml").read_text(encoding="utf-8")
    parsed = rubric.load(text)
    year = (parsed.period_from or dt.date(2024, 1, 1)).year
    memberships = load_example_into_db(world, "minhang", year)
    file_ledger = ledgerfile.read(LEDGERS / "minhang.yaml")
    as_of = parsed.period_to or dt.date(year, 12, 31)
    from_file = {r.member: r.total for r in engine.score(
        parsed, file_ledger.entries, as_of, members=file_ledger.members)}
    version = register_rubric(world.office, world.committee, text)
    scored = score_committee(world.office, world.committee, version, year=year)
    from_db = {str(s.membership_id): s.total for s in scored.run.scores.all()}
    for example, membership in memberships.items():
        assert from_db[str(membership.pk)] == from_file[example]


def test_members_without_entries_are_scored_too(world):
    version = register_rubric(world.office, world.committee,
                              (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8"))
    scored = score_committee(world.office, world.committee, version, year=2025)
    assert {s.membership_id for s in scored.run.scores.all()} == {
        world.membership1.pk, world.membership2.pk}


def test_a_status_change_after_year_end_rescored_as_of_a_later_date(world):
    text = (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8")
    version = register_rubric(world.office, world.committee, text)
    entry = ledger.record_entry(world.office, world.membership1, kind="proposal",
                                date=dt.date(2025, 11, 3),
                                attrs={"ref": "P9", "status": "submitted",
                                       "role": "first_author"})
    ledger.correct_entry(world.office, entry, attrs=entry.attrs | {"status": "registered"},
                         effective=dt.date(2026, 2, 10), reason="registered after review")
    at_year_end = score_committee(world.office, world.committee, version, year=2025,
                                  as_of=dt.date(2025, 12, 31))
    later = score_committee(world.office, world.committee, version, year=2025,
                            as_of=dt.date(2026, 3, 1))
    first = at_year_end.run.scores.get(membership=world.membership1).total
    second = later.run.scores.get(membership=world.membership1).total
    assert second > first
    # The earlier stored result is kept as it was.
    assert at_year_end.run.scores.get(membership=world.membership1).total == first
    assert ScoreRun.objects.filter(year=2025).count() == 2


def test_same_rubric_text_is_one_version_and_an_edit_is_another(world):
    text = (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8")
    a = register_rubric(world.office, world.committee, text)
    b = register_rubric(world.office, world.committee, text)
    c = register_rubric(world.office, world.committee, text + "\n# edited\n")
    assert a == b and a != c


def test_invalid_rubric_is_refused_naming_the_line(world):
    with pytest.raises(ValidationError) as exc:
        register_rubric(world.office, world.committee,
                        "rubric: x\ncategories:\n  - id: a\n    max: -5\n")
    assert "rubric:4" in " ".join(exc.value.messages)
    assert not RubricVersion.objects.exists()


def test_only_office_staff_score(world):
    text = (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8")
    with pytest.raises(PermissionDenied):
        register_rubric(world.member1, world.committee, text)
    version = register_rubric(world.office, world.committee, text)
    with pytest.raises(PermissionDenied):
        score_committee(world.leader, world.committee, version, year=2025)


def test_members_see_only_their_own_stored_score(world):
    version = register_rubric(world.office, world.committee,
                              (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8"))
    score_committee(world.office, world.committee, version, year=2025)
    assert {s.membership_id for s in MemberScore.objects.visible_to(world.member1)} == {
        world.membership1.pk}
    assert not MemberScore.objects.visible_to(world.office_other).exists()
    assert not MemberScore.objects.visible_to(world.unit1_user).exists()


def test_score_command_scores_the_database_and_stores_the_run(world, capsys):
    out = io.StringIO()
    call_command("score", "--rubric", str(RUBRICS / "guangshui.yaml"), "--committee", "city",
                 "--year", "2025", "--format", "json", stdout=out, stderr=io.StringIO())
    data = json.loads(out.getvalue())
    assert {row["member"] for row in data} == {str(world.membership1.pk),
                                               str(world.membership2.pk)}
    assert ScoreRun.objects.count() == 1


def test_score_command_in_file_mode_needs_no_database_rows(db):
    out = io.StringIO()
    call_command("score", "--rubric", str(RUBRICS / "guangshui.yaml"), "--ledger",
                 str(LEDGERS / "guangshui.yaml"), "--format", "json", stdout=out)
    totals = {row["member"]: Decimal(str(row["total"])) for row in json.loads(out.getvalue())}
    assert totals == {k: Decimal(v) for k, v in EXPECTED["guangshui"].items()}


def test_role_specific_rules_follow_the_membership_role(world):
    """The 'weak' example is a standing member: standing-meeting deductions apply to them
    through their membership role; the same entries on an ordinary member would not."""
    memberships = load_example_into_db(world, "guangshui", 2017)
    assert memberships["weak"].role == MembershipRole.STANDING
    version = register_rubric(world.office, world.committee,
                              (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8"))
    scored = score_committee(world.office, world.committee, version, year=2017)
    weak = scored.run.scores.get(membership=memberships["weak"]).explanation
    attendance = next(c for c in weak["categories"] if c["id"] == "attendance")
    assert Decimal(str(attendance["points"])) == 0
    org.update_membership(world.office, memberships["weak"], role=MembershipRole.MEMBER)
    rescored = score_committee(world.office, world.committee, version, year=2017)
    weak = rescored.run.scores.get(membership=memberships["weak"]).explanation
    attendance = next(c for c in weak["categories"] if c["id"] == "attendance")
    assert Decimal(str(attendance["points"])) > 0


def test_pushdown_and_chunking_change_no_result(world, monkeypatch):
    """Leaving irrelevant entries in the database and scoring in chunks must give exactly
    what the engine gives on every entry at once."""
    from shixiao.assessment import engine, rubric, services
    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.ledger.demo import generate_year

    generate_year(world.committee, 2025, seed=11)
    monkeypatch.setattr(services, "CHUNK_MEMBERS", 1)
    for text in (default_rubric_text(), (RUBRICS / "guangshui.yaml").read_text("utf-8")):
        parsed = rubric.load(text)
        version = register_rubric(world.office, world.committee, text)
        scored = score_committee(world.office, world.committee, version, year=2025,
                                 store=False)
        start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
        everything = services.load_entries(world.committee, start, end, end)
        direct = engine.score(parsed, everything, end,
                              members=services.members_for(world.committee, start, end))
        assert [r.to_dict() for r in scored.results] == [r.to_dict() for r in direct]
        assert services._relevance_filter(parsed) is not None


@pytest.mark.django_db(transaction=True)
def test_reader_thread_reads_exactly_what_an_inline_read_does(world):
    """Outside a transaction rows come from a helper thread's own connection."""
    from django.db import connection, transaction

    from shixiao.assessment import rubric, services
    from shixiao.ledger.demo import generate_year

    generate_year(world.committee, 2025, seed=3)
    parsed = rubric.load((RUBRICS / "guangshui.yaml").read_text("utf-8"))
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert not connection.in_atomic_block
    threaded = list(services.iter_member_entries(world.committee, start, end, end, parsed))
    with transaction.atomic():
        inline = list(services.iter_member_entries(world.committee, start, end, end, parsed))
    assert threaded == inline and len(threaded) == 2


@pytest.mark.django_db(transaction=True)
def test_reader_thread_error_reaches_the_caller(world):
    from shixiao.assessment import services

    with pytest.raises(Exception, match="no_such_table"):
        list(services._row_chunks("SELECT * FROM no_such_table", []))


@pytest.mark.django_db(transaction=True)
def test_scoring_in_parallel_processes_gives_the_same_results(world, monkeypatch):
    from shixiao.assessment import rubric, services
    from shixiao.ledger.demo import generate_year

    generate_year(world.committee, 2025, seed=8)
    for n in range(12):  # ids past 9, so text order and membership order differ
        person = org.create_person(world.office, name=f"委员{n}")
        membership = org.create_membership(world.office, person=person,
                                           committee=world.committee, term=world.term,
                                           sector=world.sector2, start=dt.date(2022, 1, 1))
        ledger.record_entry(world.office, membership, kind="commendation",
                            date=dt.date(2025, 5, 1), attrs={"level": "provincial"})
    text = (RUBRICS / "guangshui.yaml").read_text("utf-8")
    parsed = rubric.load(text)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    members = services.members_for(world.committee, start, end)
    monkeypatch.setattr(services, "PARALLEL_MIN_MEMBERS", 1)
    monkeypatch.setattr(services.os, "cpu_count", lambda: 2)
    assert services._worker_count(parsed, len(members)) == 2
    parallel = services._score_members(parsed, text, world.committee, start, end, end,
                                       members, {})
    monkeypatch.setattr(services, "PARALLEL_MIN_MEMBERS", 10**9)
    inline = services._score_members(parsed, text, world.committee, start, end, end,
                                     members, {})
    assert [r.to_dict() for r in parallel] == [r.to_dict() for r in inline]
    assert len(parallel) == len(members) == 14


def test_score_command_refuses_an_invalid_rubric_naming_the_line(world, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: x\ncategories:\n  - id: a\n    max: -5\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("score", "--rubric", str(bad), "--committee", "city", "--year", "2025",
                     stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    assert f"{bad}:4:" in err.getvalue()
    assert not ScoreRun.objects.exists()


def test_scoring_without_explanations_gives_the_same_totals_and_grades(world):
    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.ledger.demo import generate_year

    generate_year(world.committee, 2025, seed=4)
    version = register_rubric(world.office, world.committee, default_rubric_text())
    full = score_committee(world.office, world.committee, version, year=2025, store=False)
    bare = score_committee(world.office, world.committee, version, year=2025, store=False,
                           explain=False)
    assert [(r.member, r.total, r.grade) for r in bare.results] == [
        (r.member, r.total, r.grade) for r in full.results]
    assert any(r.lines for r in full.results) and not any(r.lines for r in bare.results)


def test_grade_history_for_some_members_is_theirs_from_the_whole_history(world):
    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.assessment.services import history_for

    version = register_rubric(world.office, world.committee, default_rubric_text())
    for year in (2022, 2023, 2024):
        score_committee(world.office, world.committee, version, year=year)
    everyone = history_for(world.committee, "shixiao-effect", 2025)
    mine = str(world.membership1.pk)
    assert len(everyone[mine]) == 3 and len(everyone) >= 2
    assert history_for(world.committee, "shixiao-effect", 2025,
                       memberships=[world.membership1.pk]) == {mine: everyone[mine]}
    assert history_for(world.committee, "shixiao-effect", 2023,
                       memberships=[world.membership1.pk]) == {mine: everyone[mine][:1]}


def test_scoring_refuses_a_seat_whose_role_the_rubric_does_not_list(world):
    """Guangshui lists members and standing members only; a seat of the chairs' meeting
    would be scored by its role-free rules alone. Nothing is stored; the message names
    the role and how many seats hold it."""
    load_example_into_db(world, "guangshui", 2017)
    term = world.committee.terms.get(number=2017)
    org.create_membership(
        world.office, person=org.create_person(world.office, name="主席会议成员"),
        committee=world.committee, term=term, role=MembershipRole.CHAIRS,
        sector=world.sector1, start=dt.date(2017, 1, 1))
    version = register_rubric(world.office, world.committee,
                              (RUBRICS / "guangshui.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as refused:
        score_committee(world.office, world.committee, version, year=2017)
    assert "Chairs' meeting member (1)" in str(refused.value)
    assert not ScoreRun.objects.filter(committee=world.committee).exists()
