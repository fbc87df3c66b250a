"""Defects found by writing further real rubrics (issue 10, items 14-18): each test names
the behaviour a committee relies on."""

import datetime as dt
import textwrap

import pytest

from shixiao.assessment import LedgerEntry, compiled, ledgerfile, load, score
from shixiao.assessment.yamlload import parse
from shixiao.ledger.kinds import attribute_type

AS_OF = dt.date(2025, 12, 31)


def rubric(text: str):
    return load(textwrap.dedent(text))


def entry(id, kind, member="m", date="2025-03-01", **attrs):
    return LedgerEntry(id=id, member=member, kind=kind, date=dt.date.fromisoformat(date),
                       attrs=attrs)


def one(text, entries, members=None):
    (result,) = score(rubric(text), entries, AS_OF, members=members or {"m": "member"})
    return result


# ----------------------------------------------------------------- 14: grade_at_most


CAPPED = """
rubric: t
categories:
  - id: duty
    rules: [{id: pts, kind: per_unit, where: {kind: speech}, points: 10}]
grades:
  - {id: good, min: 30}
  - {id: fair, min: 20}
gates:
  - id: plenary
    on_fail: {grade_at_most: fair}
    all_of: [{id: plenary, where: {kind: attendance, meeting: plenary}, at_least: 1}]
"""


def test_failed_grade_at_most_gate_leaves_an_ungraded_member_ungraded():
    result = one(CAPPED, [entry("s1", "speech")])  # 10 points: below every band
    assert result.grade_by_score is None
    assert not result.gates[0].passed
    assert result.grade is None


def test_failed_grade_at_most_gate_still_lowers_a_grade_the_member_has():
    result = one(CAPPED, [entry(f"s{i}", "speech") for i in range(4)])
    assert (result.grade_by_score, result.grade) == ("good", "fair")


def test_counts_path_leaves_an_ungraded_member_ungraded():
    plan = compiled.plan(rubric(CAPPED), attribute_type)
    scorer = compiled.CountScorer(rubric(CAPPED), plan)
    keys = []
    for group in plan.groups:
        keys.append(tuple(1 if plan.columns[c] == ("kind", frozenset({"speech"})) else 0
                          for c in group))
    result = scorer.score("m", "member", None, keys, [])
    assert result.total == 10 and result.grade is None


# ----------------------------------------------------------------- 15: YAML 1.1 readings


def test_zero_padded_member_ids_stay_as_typed_in_a_yaml_ledger():
    ledger = ledgerfile.parse_yaml(textwrap.dedent("""\
        ledger: demo
        members:
          - {id: 0012}
        entries:
          - {id: 0007, member: 0012, kind: speech, date: 2025-03-01}
        """))
    assert ledger.errors == []
    assert list(ledger.members) == ["0012"]
    assert [(e.id, e.member) for e in ledger.entries] == [("0007", "0012")]


def test_times_and_yes_no_stay_text_while_true_false_dates_and_numbers_are_read():
    data = parse("a: 12:30\nb: no\nc: yes\nd: off\ne: true\nf: False\n"
                 "g: 2025-03-01\nh: 12\ni: -1.5\nj: 0x1F\nk: 0\n")
    assert data == {"a": "12:30", "b": "no", "c": "yes", "d": "off", "e": True, "f": False,
                    "g": dt.date(2025, 3, 1), "h": 12, "i": pytest.approx(-1.5),
                    "j": "0x1F", "k": 0}


def test_zero_padded_values_in_a_rubric_condition_match_the_ledger_text():
    text = """
        rubric: t
        categories:
          - id: duty
            rules: [{id: s, kind: per_unit, where: {kind: speech, ref: 0012}, points: 1}]
        """
    assert one(text, [entry("s1", "speech", ref="0012")]).total == 1


# ----------------------------------------------------------------- 16: entries left free


def test_unreached_threshold_leaves_its_entries_to_later_categories():
    text = """
        rubric: t
        categories:
          - id: active
            rules: [{id: active, kind: threshold, at_least: 3, points: 10,
                     where: {kind: attendance, state: attended}}]
          - id: each
            rules: [{id: each, kind: per_unit, points: 1,
                     where: {kind: attendance, state: attended}}]
        """
    two = [entry(f"a{i}", "attendance", state="attended") for i in range(2)]
    result = one(text, two)
    assert (result.category("active"), result.category("each")) == (0, 2)
    three = two + [entry("a2", "attendance", state="attended")]
    result = one(text, three)
    assert (result.category("active"), result.category("each")) == (10, 0)


def test_unreached_tiers_leave_their_entries_to_later_categories():
    text = """
        rubric: t
        categories:
          - id: study
            rules: [{id: tiers, kind: threshold, where: {kind: study},
                     tiers: [{at_least: 2, points: 5}]}]
          - id: each
            rules: [{id: each, kind: per_unit, points: 1, where: {kind: study}}]
        """
    result = one(text, [entry("s1", "study", type="session")])
    assert (result.category("study"), result.category("each")) == (0, 1)


def test_items_skipped_by_from_nth_are_left_to_later_categories():
    text = """
        rubric: t
        categories:
          - id: extra
            rules: [{id: extra, kind: per_unit, from_nth: 3, points: 2, where: {kind: speech}}]
          - id: required
            rules: [{id: required, kind: per_unit, points: 1, where: {kind: speech}}]
        """
    entries = [entry(f"s{i}", "speech", date=f"2025-0{i}-01") for i in range(1, 5)]
    result = one(text, entries)
    assert (result.category("extra"), result.category("required")) == (4, 2)
    assert next(ln for ln in result.lines if ln.rule == "required").entries == ("s1", "s2")


def test_counts_path_refuses_a_threshold_whose_entries_may_go_to_a_later_category():
    text = """
        rubric: t
        categories:
          - id: active
            rules: [{id: active, kind: threshold, at_least: 3, points: 10,
                     where: {kind: attendance}}]
          - id: each
            rules: [{id: each, kind: per_unit, points: 1, where: {kind: attendance}}]
        """
    with pytest.raises(compiled.NotCompilable, match="threshold active"):
        compiled.plan(rubric(text), attribute_type)
    # Once a period (at_least 1) is reached by any match: still compiled.
    compiled.plan(rubric(text.replace("at_least: 3", "at_least: 1")), attribute_type)


# ----------------------------------------------------------------- 17: every rule shown


def test_a_rule_no_entry_matches_shows_in_the_explanation_with_zero():
    text = """
        rubric: t
        categories:
          - id: duty
            rules:
              - {id: filed, kind: per_unit, where: {kind: proposal}, points: 20}
              - {id: spoke, kind: per_unit, where: {kind: speech}, points: 5}
        """
    result = one(text, [entry("p", "proposal")])
    lines = {ln.rule: (ln.points, ln.entries) for ln in result.lines}
    assert lines == {"filed": (20, ("p",)), "spoke": (0, ())}


# ----------------------------------------------------------------- 18: messages


@pytest.mark.parametrize("text, expected", [
    ("rubric: t\ncategories: [{id: duty}]\ngrades:\n  - {id: fail, label: x}\n",
     "r.yaml:4: grade band fail: missing required key 'min'"),
    ("rubric: t\ncategories: [{id: duty, max: -1}]\n",
     "r.yaml:2: category duty: cap below zero"),
    ("rubric: t\ncategories: [{id: duty}]\ngates:\n  - {id: g, all_of: [], on_fail: 3}\n",
     "r.yaml:4: gate g: on_fail must be"),
    ("rubric: t\ncategories: [{id: duty}]\nconsequences:\n  - {id: talk, grade: [x]}\n",
     "r.yaml:4: consequence talk: undefined grade 'x'"),
    ("rubric: t\ncategories: [{id: duty}]\npools: [{id: p, max: -2}]\n",
     "r.yaml:3: pool p: cap below zero"),
    ("rubric: t\ncategories: [{id: duty}]\ntotal: {base: x}\n",
     "r.yaml:3: total: base must be a number"),
    ("rubric: t\ncategories: [{id: duty}]\nperiod: {from: 2025-01-01}\n",
     "r.yaml:3: period: missing required key 'to'"),
    ("rubric: t\ncategories:\n  - id: duty\n    rules: [{id: r, kind: per_item, "
     "where: {kind: speech}, points: 1}]\n", "r.yaml:4: rule r: unknown rule kind"),
])
def test_errors_name_the_section_they_are_in(text, expected):
    from shixiao.assessment import validate

    formatted = [e.format("r.yaml") for e in validate(text)]
    assert any(f.startswith(expected) for f in formatted), formatted


def test_a_label_with_colon_space_names_the_rule_and_suggests_quoting():
    from shixiao.assessment import validate

    text = textwrap.dedent("""\
        rubric: t
        categories:
          - id: duty
            rules:
              - id: filed
                label: 提案: 立案
                kind: per_unit
                where: {kind: proposal}
                points: 1
        """)
    (error,) = validate(text)
    formatted = error.format("r.yaml")
    assert formatted.startswith("r.yaml:6: rule filed: not valid YAML: mapping values")
    assert "must be quoted" in formatted


# ----------------------------------------------------------------- 17: silent zeros


def checked(text):
    from shixiao.assessment.rubric import check

    errors, warnings = check(textwrap.dedent(text))
    return [e.format("r.yaml") for e in errors], [w.format("r.yaml") for w in warnings]


VOCABULARY = """\
rubric: t
categories:
  - id: duty
    rules:
      - id: filed
        kind: per_unit
        where: {kind: proposal, status: WHAT}
        points: 20
      - id: absent
        kind: per_unit
        where: {kind: attendance, meeting: plenary, state: STATE}
        points: -1
"""


def test_check_warns_about_status_and_state_values_no_entry_carries():
    errors, warnings = checked(VOCABULARY.replace("WHAT", "registerd")
                               .replace("STATE", "absent"))
    assert errors == []
    assert warnings[0].startswith("r.yaml:7: warning: rule filed: where: status 'registerd' "
                                  "is not a value entries carry (known: ")
    assert warnings[1].startswith("r.yaml:11: warning: rule absent: where: state 'absent'")
    assert checked(VOCABULARY.replace("WHAT", "registered").replace("STATE", "unexcused")) \
        == ([], [])


def test_check_warns_about_attribute_names_no_entry_carries():
    text = VOCABULARY.replace("status: WHAT", "staus: registered").replace(
        "STATE", "unexcused")
    _, warnings = checked(text)
    assert warnings == [
        "r.yaml:7: warning: rule filed: where: no proposal entry carries 'staus' (known: "
        "author_rank, authors, collective, difficulty, horizon_months, level, ref, role, "
        "status, units)"]


def test_check_warns_about_a_misspelt_key_inside_where_and_in_points_tables():
    text = """\
        rubric: t
        categories:
          - id: duty
            rules:
              - {id: a, kind: per_unit, where: {knd: proposal}, points: 1}
              - {id: b, kind: per_unit, where: {kind: attendance},
                 points: {by: state, values: {attended: 1, absnt: -1}}}
              - {id: c, kind: per_unit, where: {kind: attendance}, per: halfdays, points: 1}
        gates:
          - id: g
            all_of: [{id: x, where: {kind: fieldwork}, sum: dayz, at_least: 1}]
        """
    errors, warnings = checked(text)
    assert errors == []
    assert [w.split(": ", 3)[2:] for w in warnings] == [
        ["rule a", "where: no ledger entry carries 'knd'"],
        ["rule b", "points.values: state 'absnt' is not a value entries carry (known: "
                   "attended, late, leave, left_early, partial, unexcused)"],
        ["rule c", "per: no attendance entry carries 'halfdays' (known: half_days, "
                   "half_days_total, meeting, ref, state)"],
        ["gate g", "sum: no fieldwork entry carries 'dayz' (known: days, findings, flag, "
                   "half_days, led, ref, state, status, type)"],
    ]


def test_rubric_check_strict_turns_warnings_into_errors(tmp_path, capsys):
    from shixiao.assessment import cli

    path = tmp_path / "r.yaml"
    path.write_text(VOCABULARY.replace("WHAT", "registerd").replace("STATE", "unexcused"),
                    encoding="utf-8")
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: rule filed" in out and "1 warning(s)" in out
    assert cli.main(["check", "--strict", str(path)]) == 1


def test_registering_a_rubric_refuses_names_no_entry_carries():
    from django.core.exceptions import ValidationError

    from shixiao.assessment.services import register_rubric

    text = VOCABULARY.replace("WHAT", "registerd").replace("STATE", "unexcused")
    with pytest.raises(ValidationError, match="registerd"):
        register_rubric(None, None, text)


ROLES_RUBRIC = """\
rubric: t
roles: [member, standing]
categories:
  - id: duty
    rules: [{id: s, kind: per_unit, where: {kind: speech}, points: 10}]
grades:
  - {id: good, label: 良好, min: 10}
  - {id: poor, label: 较差, min: 0}
consequences:
  - {id: talk, grade: [poor], times: 2}
"""


def _score(tmp_path, capsys, ledger, history=None):
    from shixiao.assessment import cli

    (tmp_path / "r.yaml").write_text(ROLES_RUBRIC, encoding="utf-8")
    (tmp_path / "l.yaml").write_text(textwrap.dedent(ledger), encoding="utf-8")
    argv = ["score", "--rubric", str(tmp_path / "r.yaml"), "--ledger",
            str(tmp_path / "l.yaml"), "--format", "json"]
    if history is not None:
        (tmp_path / "h.yaml").write_text(textwrap.dedent(history), encoding="utf-8")
        argv += ["--history", str(tmp_path / "h.yaml")]
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_score_refuses_ledger_roles_the_rubric_does_not_know(tmp_path, capsys):
    status, _, err = _score(tmp_path, capsys, """\
        members: [{id: m1, role: standing}, {id: m2, role: standing_member}]
        entries: []
        """)
    assert status == 1
    assert "member m2: role 'standing_member' is not one of the rubric's roles " \
           "(member, standing)" in err


def test_score_refuses_history_grades_given_as_labels(tmp_path, capsys):
    ledger = """\
        members: [{id: m1}]
        entries: []
        """
    status, _, err = _score(tmp_path, capsys, ledger, "m1: [较差]\n")
    assert status == 1
    assert "member m1: unknown grade '较差' (grades: good, poor; use its id 'poor')" in err
    status, out, _ = _score(tmp_path, capsys, ledger, "m1: [poor]\n")
    assert status == 0 and '"talk"' in out
