"""Rubric labels per language (issue 10, item 4): a rubric may word each label per language,
pages and Word reports show the reader's language, labels of older rubrics written as
`实效 / verified outcomes` read the same way, and unmet requirements read as words."""

import textwrap

import pytest
from django.utils import translation

from shixiao.assessment import validate
from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.rubric import load

from .dossier_kit import all_text, build_year, open_docx
from .test_mypages_pages import en, html
from .test_mypages_score import known_year


def pick(label, language):
    from shixiao.assessment.rubric import pick

    return pick(label, language)


def display():
    from shixiao.assessment import display

    return display


PER_LANGUAGE = """\
rubric: t
label: {zh-hans: 实效, en: verified outcomes}
categories:
  - id: duty
    label: {zh-hans: 履职, en: duty}
    rules:
      - {id: s, kind: per_unit, where: {kind: speech}, points: 1, label: 发言}
grades:
  - {id: good, label: {en: good, zh-hans: 良好}, min: 0}
"""


def test_a_label_may_be_given_per_language_and_a_plain_string_stays_valid():
    rubric = load(PER_LANGUAGE)
    assert (pick(rubric.label, "zh-hans"), pick(rubric.label, "en")) == (
        "实效", "verified outcomes")
    assert str(rubric.grades[0].label) == "良好", "the rubric's own wording is zh-hans"
    assert pick(rubric.grades[0].label, "zh-cn") == "良好"
    assert pick(rubric.categories[0].rules[0].label, "en") == "发言"
    assert rubric.label == "实效"


def test_labels_of_older_rubrics_written_with_a_slash_show_one_language():
    assert pick("实效 / verified outcomes", "en") == "verified outcomes"
    assert pick("实效 / verified outcomes", "zh-hans") == "实效"
    assert pick("A / B", "zh-hans") == "A / B", "not a two-language label"


def test_a_label_mapping_needs_language_codes_and_text():
    errors = validate(PER_LANGUAGE.replace("en: duty", "english language: duty"))
    assert [e.format("r.yaml") for e in errors] == [
        "r.yaml:5: category duty: label: 'english language' is not a language code "
        "(e.g. zh-hans, en)"]


def test_stored_explanations_keep_every_wording():
    from shixiao.assessment import score

    (result,) = score(load(PER_LANGUAGE), [], __import__("datetime").date(2025, 1, 1),
                      members={"m": "member"})
    category = result.to_dict()["categories"][0]
    assert category["label"] == "履职"
    assert category["labels"] == {"zh-hans": "履职", "en": "duty"}
    with translation.override("en"):
        assert display().item(category) == "duty"


def test_shipped_rubrics_label_every_item_per_language():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in [*sorted((root / "examples" / "rubrics").glob("*.yaml"))]:
        rubric = load(path.read_text(encoding="utf-8"))
        items = [rubric, *rubric.categories, *rubric.rules, *rubric.grades, *rubric.gates,
                 *rubric.consequences, *rubric.pools,
                 *[t for g in rubric.gates for clause in g.clauses for t in clause]]
        for item in items:
            if item.label:
                assert set(item.label.as_dict()) == {"zh-hans", "en"}, (path.name, item.id)


def test_score_page_shows_rubric_category_and_grade_labels_in_the_page_language(world,
                                                                                 as_user):
    known_year(world)
    client = as_user(world.member1)
    chinese = html(client.get("/me/score/?year=2025"))
    assert "实效" in chinese and "verified outcomes" not in chinese
    assert "effect-based member assessment" not in chinese
    english = html(en(client).get("/me/score/?year=2025"))
    assert "verified outcomes" in english and "实效" not in english


def test_unmet_requirements_read_as_words_not_codes(world, as_user):
    known_year(world)
    client = as_user(world.member2)  # no plenary, no work: basic duties not met
    view = client.get("/me/score/?year=2025").context["score"]
    (gate,) = view.gates
    assert not gate.passed
    assert "出席全会" in gate.failed and "plenary" not in gate.failed
    assert not any("_" in words for words in gate.failed)


def test_a_requirement_without_a_label_is_described_in_the_ledgers_words():
    rubric = load(textwrap.dedent("""\
        rubric: t
        categories: [{id: duty, label: {zh-hans: 履职, en: duty}}]
        gates:
          - id: g
            all_of:
              - {id: plenary, where: {kind: attendance, meeting: plenary,
                 state: [attended, leave]}, at_least: 1}
              - {id: days, where: {kind: fieldwork}, sum: days, at_least: 3}
              - {id: pts, score: duty, at_least: 20}
        """))
    plenary, days, pts = (clause[0] for clause in rubric.gates[0].clauses)
    with translation.override("en"):
        assert display().requirement_text(plenary, rubric) == (
            "Attendance · plenary session · attended/on leave ≥ 1 times")
        assert display().requirement_text(days, rubric) == "Fieldwork ≥ 3 days"
        assert display().requirement_text(pts, rubric) == "duty ≥ 20 points"


@pytest.mark.parametrize("language, shown, hidden", [
    ("en", "verified outcomes", "实效 / verified outcomes"),
    ("zh-hans", "实效", "verified outcomes"),
])
def test_word_report_shows_labels_in_the_readers_language(world, as_user, language, shown,
                                                         hidden):
    build_year(world)
    client = as_user(world.office)
    client.cookies["django_language"] = language
    response = client.get(f"/dossier/members/{world.membership1.pk}/2025.docx")
    assert response.status_code == 200
    text = all_text(open_docx(response.content))
    assert shown in text and hidden not in text


def test_default_rubric_has_per_language_labels():
    assert "label: {zh-hans: 实效, en: verified outcomes}" in default_rubric_text()
