"""The default rubric keeps DESIGN.md section 3: effect, follow-through and difficulty outweigh
counts; no usage metric is ever scored; every weight says why."""

import datetime as dt
import re
from pathlib import Path

from shixiao.assessment import LedgerEntry, ledgerfile, load, score

REPO = Path(__file__).resolve().parents[1]
TEXT = (REPO / "examples/rubrics/shixiao-effect.yaml").read_text(encoding="utf-8")
RUBRIC = load(TEXT)
AS_OF = dt.date(2025, 12, 31)

USAGE_METRICS = {"sign_in", "signin", "check_in", "login", "online_time", "online_minutes",
                 "word_count", "words", "likes", "shares", "votes", "study_time",
                 "study_minutes", "photo", "photos", "video", "track", "tracks", "uploads"}


def total(*entries):
    (result,) = score(RUBRIC, list(entries), AS_OF, members={"m": "member"})
    return result.total


def e(id, kind, **attrs):
    return LedgerEntry(id=id, member="m", role="member", kind=kind, date=dt.date(2025, 5, 1),
                       attrs=attrs)


def test_no_usage_metric_is_scored_or_required():
    fields = set()
    for rule in RUBRIC.rules:
        for condition in (rule.where, rule.unless):
            fields |= {t.field for t in condition.tests}
            fields |= {str(t.operand) for t in condition.tests}
        if rule.per:
            fields.add(rule.per)
    for gate in RUBRIC.gates:
        for clause in gate.clauses:
            for requirement in clause:
                if requirement.where:
                    fields |= {t.field for t in requirement.where.tests}
    assert not fields & USAGE_METRICS
    assert RUBRIC.ranking.enabled is False


def test_every_rule_says_why_its_weight():
    blocks = re.split(r"\n\s+- id: ", TEXT)
    rule_ids = {rule.id for rule in RUBRIC.rules}
    explained = {block.split("\n", 1)[0].strip() for block in blocks if "Why" in block}
    assert rule_ids <= explained, rule_ids - explained


def test_verified_effect_outweighs_counts():
    ledger = ledgerfile.read(REPO / "examples/ledgers/shixiao-effect.yaml")
    results = {r.member: r for r in score(RUBRIC, ledger.entries, AS_OF,
                                          members=ledger.members)}
    busy, effective = results["busy"], results["effective"]
    assert busy.total <= 30 < effective.total
    assert busy.category("effect") == 0 and effective.category("effect") >= 60
    assert (busy.grade, effective.grade) == ("competent", "excellent")
    assert results["absent"].consequences == ("support_talk",)


def test_one_verified_outcome_beats_many_filings():
    many = [e(f"p{i}", "proposal", status="registered", role="first_author")
            for i in range(6)]
    assert total(e("v", "proposal", status="effect_verified", role="first_author")) > \
        total(*many)


def test_difficulty_and_long_horizon_earn_more():
    easy = e("v", "proposal", status="effect_verified", role="first_author")
    hard = e("v", "proposal", status="effect_verified", role="first_author", difficulty="hard")
    lasting = e("v", "proposal", status="effect_verified", role="first_author",
                horizon_months=24)
    assert total(hard) > total(easy) and total(lasting) > total(easy)


def test_following_up_earns_more_than_filing_anew():
    assert total(e("r", "proposal", status="follow_up_review")) > \
        total(e("p", "proposal", status="registered", role="first_author"))


def test_flagged_research_earns_nothing():
    assert total(e("f", "fieldwork", findings=3, flag="showcase")) == 0
    assert total(e("f", "fieldwork", findings=3)) > 0


def test_documented_example_is_the_packaged_default_rubric():
    # One file, shipped in the wheel; the example is a link to it so they cannot drift.
    packaged = REPO / "src/shixiao/assessment/rubrics/shixiao-effect.yaml"
    assert (REPO / "examples/rubrics/shixiao-effect.yaml").resolve() == packaged.resolve()


def test_key_proposal_earns_little_because_being_chosen_is_not_an_outcome():
    registered = e("p", "proposal", status="registered", role="first_author")
    key = e("k", "proposal", status="key", role="first_author")
    adopted = e("a", "proposal", status="adopted", role="first_author")
    assert total(registered) < total(registered, key) < total(registered, adopted)
    assert total(key) <= total(registered)


def test_excellent_proposal_is_meaningful_but_below_a_verified_effect():
    excellent = e("x", "proposal", status="excellent", role="first_author")
    adopted = e("a", "proposal", status="adopted", role="first_author")
    verified = e("v", "proposal", status="effect_verified", role="first_author")
    assert total(adopted) < total(excellent) < total(verified)
    co = e("x", "proposal", status="excellent", role="co_signer")
    assert 0 < total(co) < total(excellent)


def test_proposal_endorsement_scores_by_level_and_only_its_best_level_counts():
    def endorsed(level, id="en", ref="P1", role="first_author"):
        return e(id, "proposal", status="endorsed", level=level, ref=ref, role=role)

    order = [total(endorsed(level)) for level in ("county", "prefecture", "provincial",
                                                   "national")]
    assert order == sorted(order) and len(set(order)) == 4
    both = total(endorsed("county", "a"), endorsed("provincial", "b"))
    assert both == total(endorsed("provincial"))
    two_proposals = total(endorsed("county", "a", "P1"), endorsed("county", "b", "P2"))
    assert two_proposals == 2 * total(endorsed("county"))
    adopted = e("a", "proposal", status="adopted", role="first_author")
    verified = e("v", "proposal", status="effect_verified", role="first_author")
    assert total(adopted) < total(endorsed("county")) <= total(endorsed("national")) \
        < total(verified)
    assert 0 < total(endorsed("national", role="co_signer")) < total(endorsed("national"))
