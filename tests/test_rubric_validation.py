"""Every validation error names the line and the rule, and a valid rubric has none."""

import textwrap

import pytest

from shixiao.assessment import RubricInvalid, load, validate


def errors_of(text: str):
    return validate(textwrap.dedent(text))


def only_error(text: str):
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


VALID = """\
rubric: demo
categories:
  - id: duty
    max: 80
    rules:
      - id: filed
        kind: per_unit
        where: {kind: proposal, status: registered}
        points: 20
grades:
  - {id: good, min: 60}
  - {id: poor, min: 0}
"""


def test_valid_rubric_has_no_errors():
    assert errors_of(VALID) == []
    assert load(VALID).categories[0].rules[0].id == "filed"


def test_load_raises_with_every_error():
    with pytest.raises(RubricInvalid) as excinfo:
        load(VALID.replace("per_unit", "per_item").replace("max: 80", "max: -1"))
    assert len(excinfo.value.errors) == 2


def test_unknown_rule_kind_names_line_and_rule():
    error = only_error(VALID.replace("per_unit", "per_item"))
    assert (error.line, error.rule_id) == (7, "filed")
    assert "unknown rule kind 'per_item'" in error.message


def test_unknown_entry_kind():
    error = only_error(VALID.replace("kind: proposal", "kind: proposl"))
    assert (error.line, error.rule_id) == (8, "filed")
    assert "unknown entry kind 'proposl'" in error.message


def test_cap_below_zero():
    error = only_error(VALID.replace("max: 80", "max: -5"))
    assert (error.line, error.rule_id) == (4, "duty")
    assert "cap below zero" in error.message


def test_cap_below_zero_on_a_rule_pool_and_total():
    text = VALID.replace("        points: 20\n", "        points: 20\n        max: -1\n")
    text += "pools:\n  - {id: bonus, max: -2}\ntotal: {max: -3}\n"
    messages = [(e.rule_id, e.message) for e in errors_of(text)]
    assert [rid for rid, msg in messages if "cap below zero" in msg] == ["filed", "bonus",
                                                                        "total"]


def test_min_above_max():
    error = only_error(VALID.replace("max: 80", "max: 80\n    min: 90"))
    assert "min 90 is above max 80" in error.message


def test_overlapping_grade_bands_with_the_same_lower_bound():
    error = only_error(VALID.replace("{id: poor, min: 0}", "{id: poor, min: 60}"))
    assert error.line == 12 and "overlapping grade bands" in error.message


def test_overlapping_grade_bands_with_an_upper_bound():
    error = only_error(VALID.replace("{id: poor, min: 0}", "{id: poor, min: 0, below: 70}"))
    assert error.rule_id == "poor" and "overlapping grade bands" in error.message


def test_empty_grade_band():
    error = only_error(VALID.replace("{id: poor, min: 0}", "{id: poor, min: 10, below: 5}"))
    assert "empty" in error.message


def test_rule_referring_to_undefined_category():
    text = VALID + "rules:\n  - {id: extra, category: dutty, kind: per_unit, points: 1, " \
        "where: {kind: speech}}\n"
    error = only_error(text)
    assert (error.line, error.rule_id) == (14, "extra")
    assert "undefined category 'dutty'" in error.message


def test_rule_in_a_category_naming_another():
    error = only_error(VALID.replace("kind: per_unit", "kind: per_unit\n        category: x"))
    assert "sits in category 'duty'" in error.message


def test_order_and_gate_referring_to_undefined_category():
    text = VALID + "order: [duty, study]\ngates:\n  - id: g\n    all_of:\n" \
        "      - {score: studdy, at_least: 1}\n"
    messages = [e.message for e in errors_of(text)]
    assert "order refers to undefined category 'study'" in messages
    assert "requirement refers to undefined category 'studdy'" in messages


def test_undefined_pool():
    error = only_error(VALID.replace("max: 80", "max: 80\n    pool: bonus"))
    assert "undefined pool 'bonus'" in error.message


def test_duplicate_rule_ids():
    text = VALID.replace("grades:", "      - {id: filed, kind: per_unit, points: 1, "
                         "where: {kind: speech}}\ngrades:")
    error = only_error(text)
    assert error.rule_id == "filed" and "duplicate rule id 'filed'" in error.message
    assert "first defined on line 6" in error.message


def test_duplicate_category_grade_gate_and_pool_ids():
    text = VALID + textwrap.dedent("""\
        pools: [{id: p}, {id: p}]
        gates:
          - {id: g, all_of: [{score: total, at_least: 1}]}
          - {id: g, all_of: [{score: total, at_least: 1}]}
        """)
    text = text.replace("  - {id: poor, min: 0}", "  - {id: poor, min: 0}\n  - {id: poor, min: -9}")
    messages = [e.message for e in errors_of(text)]
    for what in ("grade id 'poor'", "pool id 'p'", "gate id 'g'"):
        assert any(f"duplicate {what}" in m for m in messages), what


def test_duplicate_yaml_key():
    error = only_error(VALID.replace("    max: 80\n", "    max: 80\n    max: 70\n"))
    assert error.line == 5 and "appears twice" in error.message


def test_missing_required_keys():
    text = VALID.replace("      - id: filed\n        kind: per_unit\n", "      - id: filed\n")
    error = only_error(text)
    assert (error.rule_id, error.message) == ("filed", "missing required key 'kind'")
    errors = errors_of("label: no id\n")
    assert {e.message for e in errors} == {"missing required key 'rubric'",
                                           "missing required key 'categories'"}


def test_missing_where():
    error = only_error(VALID.replace("        where: {kind: proposal, status: registered}\n", ""))
    assert error.rule_id == "filed" and "missing required key 'where'" in error.message


def test_missing_points():
    error = only_error(VALID.replace("        points: 20\n", ""))
    assert "missing required key 'points'" in error.message


@pytest.mark.parametrize("policy, words", [
    ("{places: 2, mode: bankers}", "mode 'bankers'"),
    ("{places: -1}", "places must be"),
    ("{places: 1.5}", "places must be"),
    ("{remainder: last}", "remainder 'last'"),
])
def test_bad_rounding_policy(policy, words):
    error = only_error(VALID + f"rounding: {policy}\n")
    assert error.line == 13 and "bad rounding policy" in error.message and words in error.message


def test_non_numeric_points():
    error = only_error(VALID.replace("points: 20", "points: twenty"))
    assert (error.line, error.rule_id) == (9, "filed")
    assert "points must be a number" in error.message


def test_non_numeric_points_inside_a_table():
    text = VALID.replace("points: 20", "points:\n          by: role\n"
                         "          values: {first_author: 20, co_signer: lots}")
    error = only_error(text)
    assert error.line == 11 and "got 'lots'" in error.message


def test_boolean_is_not_a_number():
    error = only_error(VALID.replace("max: 80", "max: yes"))
    assert "max must be a number" in error.message


def test_unknown_key_catches_typos():
    error = only_error(VALID.replace("max: 80", "maximum: 80"))
    assert "unknown key 'maximum'" in error.message


def test_unknown_condition_operator():
    error = only_error(VALID.replace("status: registered", "status: {like: reg}"))
    assert "unknown operator 'like'" in error.message


def test_numeric_operator_needs_a_number():
    error = only_error(VALID.replace("status: registered", "weight: {gte: heavy}"))
    assert "gte needs a number" in error.message


def test_level_operator_needs_a_level():
    error = only_error(VALID.replace("status: registered", "level: {at_or_above: city}"))
    assert "needs a level" in error.message


def test_unknown_role():
    error = only_error(VALID.replace("kind: per_unit", "kind: per_unit\n        applies_to: [vip]"))
    assert "unknown role 'vip'" in error.message


def test_modifier_on_the_wrong_rule_kind():
    error = only_error(VALID.replace("kind: per_unit", "kind: per_unit\n        at_least: 3"))
    assert "at_least does not apply to a per_unit rule" in error.message


def test_from_nth_must_be_positive():
    error = only_error(VALID.replace("kind: per_unit", "kind: per_unit\n        from_nth: 0"))
    assert "from_nth" in error.message


def test_manual_rule_takes_no_points():
    error = only_error(VALID.replace("kind: per_unit", "kind: manual").replace(
        "where: {kind: proposal, status: registered}", "where: {kind: manual}"))
    assert "manual rule takes its points from each entry" in error.message


def test_gate_with_undefined_grade_and_bad_on_fail():
    text = VALID + textwrap.dedent("""\
        gates:
          - {id: g1, on_fail: {grade: failed}, all_of: [{score: total, at_least: 1}]}
          - {id: g2, on_fail: demote, all_of: [{score: total, at_least: 1}]}
        """)
    messages = [e.message for e in errors_of(text)]
    assert "undefined grade 'failed'" in messages
    assert any(m.startswith("on_fail must be") for m in messages)


def test_consequence_with_undefined_grade():
    error = only_error(VALID + "consequences:\n  - {id: c, grade: [bad], times: 2}\n")
    assert "undefined grade 'bad'" in error.message


def test_period_must_be_dates_in_order():
    error = only_error(VALID + "period: {from: 2025-12-31, to: 2025-01-01}\n")
    assert "starts after it ends" in error.message


def test_yaml_syntax_error_names_the_line():
    error = only_error("rubric: x\ncategories:\n  - id: [unclosed\n")
    assert error.line >= 3 and "not valid YAML" in error.message


def test_not_a_mapping():
    assert "must be a mapping" in only_error("- just a list\n").message


RULE = "        points: 20\n"


@pytest.mark.parametrize("old, new, words", [
    ("categories:\n", "categories: duty\nx:\n", "categories must be a list"),
    ("  - id: duty\n", "  - id: total\n", "id 'total' is reserved"),
    ("    max: 80\n", "    max: 80\n    by_role: {vip: {max: 1}}\n", "unknown role 'vip'"),
    ("    max: 80\n", "    max: 80\n    by_role: {standing: {maximum: 1}}\n",
     "unknown key 'maximum'"),
    ("    max: 80\n", "    max: 80\n    deduct_after_cap: maybe\n",
     "deduct_after_cap must be true or false"),
    (RULE, "        points: {by: [a], values: {x: 1}}\n", "points.by must be an attribute name"),
    (RULE, "        points: {by: role, values: 3}\n", "points.values must map"),
    (RULE, "        points: {values: {x: 1}}\n", "missing required key 'by'"),
    ("kind: per_unit", "kind: threshold", None),
    (RULE, RULE + "        split: sometimes\n", "split must be true or false"),
    (RULE, RULE + "        per: [days]\n", "per must be an attribute name"),
    (RULE, RULE + "        rounding: {mode: up}\n        group_by: x\n",
     "group_by does not apply"),
    (RULE, RULE + "        applies_to: vip\n", "unknown role 'vip'"),
    (RULE, RULE + "        unless: {kind: nonsense}\n", "unknown entry kind 'nonsense'"),
    (RULE, RULE + "        where2: {}\n", "unknown key 'where2'"),
    ("grades:\n", "order: [duty, duty]\ngrades:\n", "listed twice"),
    ("grades:\n", "pools: [{id: duty}]\ngrades:\n", "is also a category id"),
    ("grades:\n", "ranking: {enabled: sure}\ngrades:\n", "enabled must be true or false"),
    ("grades:\n", "ranking: {within: city}\ngrades:\n", "within must be one of"),
    ("grades:\n", "period: {from: soon, to: 2025-12-31}\ngrades:\n", "period from must be a date"),
    ("grades:\n", "consequences: [{id: c, grade: poor, times: 0}]\ngrades:\n", "times must be"),
    ("grades:\n", "consequences: [{id: c, grade: poor, over: decade}]\ngrades:\n",
     "over must be one of"),
])
def test_other_structural_errors(old, new, words):
    text = VALID.replace(old, new, 1)
    messages = [e.message for e in errors_of(text)]
    if words is None:  # a threshold with a fixed number is valid
        assert messages == []
    else:
        assert any(words in m for m in messages), messages


@pytest.mark.parametrize("rule, words", [
    ("{id: t, kind: threshold, where: {kind: speech}, points: {by: a, values: {x: 1}}}",
     "a threshold rule awards a single number"),
    ("{id: t, kind: threshold, where: {kind: speech}, points: 1, at_least: -1}",
     "at_least cannot be below zero"),
    ("{id: t, kind: threshold, where: {kind: speech}, tiers: [{at_least: 2, points: 1}, "
     "{at_least: 2, points: 3}]}", "two tiers with the same at_least"),
    ("{id: t, kind: threshold, where: {kind: speech}, tiers: [{at_least: 2}]}",
     "missing required key 'points'"),
    ("{id: t, kind: manual, where: {kind: speech}}", "a manual rule scores manual entries"),
    ("{id: t, kind: per_unit, where: {kind: speech, x: []}, points: 1}",
     "a list must hold plain values"),
    ("{id: t, kind: per_unit, where: {kind: speech, x: {in: 3}}, points: 1}",
     "in needs a non-empty list"),
    ("{id: t, kind: per_unit, where: {kind: speech, x: {exists: 1}}, points: 1}",
     "exists needs true or false"),
    ("{id: t, kind: per_unit, where: [speech], points: 1}",
     "a condition must be a mapping"),
])
def test_rule_errors(rule, words):
    text = VALID.replace("grades:", f"      - {rule}\ngrades:")
    messages = [e.message for e in errors_of(text)]
    assert any(words in m for m in messages), messages


@pytest.mark.parametrize("gate, words", [
    ("{id: g}", "exactly one of all_of or any_of"),
    ("{id: g, all_of: [{at_least: 1}]}", "exactly one of where or score"),
    ("{id: g, all_of: [{score: duty, sum: days, at_least: 1}]}", "sum goes with where"),
    ("{id: g, all_of: [{score: duty}]}", "needs at_least or at_most"),
    ("{id: g, all_of: [{score: duty, at_least: 5, at_most: 1}]}", "at_most is below"),
    ("{id: g, any_of: [{score: duty, at_least: x}]}", "at_least must be a number"),
    ("{id: g, all_of: [{score: duty, at_least: 1}], on_fail: {demote: poor}}",
     "on_fail must be flag"),
])
def test_gate_errors(gate, words):
    messages = [e.message for e in errors_of(VALID + f"gates:\n  - {gate}\n")]
    assert any(words in m for m in messages), messages


def test_any_of_gate_and_pool_score_are_valid():
    text = VALID.replace("    max: 80\n", "    max: 80\n    pool: bonus\n") + \
        "pools: [{id: bonus, max: 90}]\ngates:\n  - {id: g, any_of: [{score: bonus, " \
        "at_least: 1}, {score: total, at_least: 2}]}\n"
    assert errors_of(text) == []


@pytest.mark.parametrize("consequence, words", [
    ("{id: c}", "exactly one of grade or gate"),
    ("{id: c, grade: poor, gate: g}", "exactly one of grade or gate"),
    ("{id: c, gate: nowhere}", "undefined gate 'nowhere'"),
    ("{id: c, gate: g, times: 2}", "a gate consequence is for this period only"),
])
def test_consequence_errors(consequence, words):
    text = VALID + "gates: [{id: g, all_of: [{score: total, at_least: 1}]}]\n" \
        f"consequences:\n  - {consequence}\n"
    messages = [e.message for e in errors_of(text)]
    assert any(words in m for m in messages), messages
