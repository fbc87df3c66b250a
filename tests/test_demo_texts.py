"""Demo proposal and 社情民意 texts: Chinese official prose of the right shape and length,
on ~40 topics with the city departments that would handle them, the same for a given seed."""

import ast
import random
import re
from collections import Counter

import pytest

from shixiao.orgs import demo as org_demo
from shixiao.proposals import demo_texts
from shixiao.proposals.demo_texts import (
    TOPICS,
    UNITS,
    DemoText,
    generate_proposal,
    generate_report,
)
from shixiao.textsim.tokenize import tokenize

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
ALLOWED_LATIN = {"APP", "PM"}  # 政务APP, PM2.5: as written in real Chinese documents


def proposals_per_topic(per_topic=6, seed=7):
    rng = random.Random(seed)
    return {t.key: [generate_proposal(rng, t) for _ in range(per_topic)] for t in TOPICS}


@pytest.fixture(scope="module")
def by_topic():
    return proposals_per_topic()


def assert_chinese_prose(text: str):
    assert "{" not in text and "}" not in text, "unfilled placeholder"
    letters = [ch for ch in text if ch.isalpha()]
    assert sum(bool(CJK.match(ch)) for ch in letters) / len(letters) > 0.97
    assert set(LATIN_WORD.findall(text)) <= ALLOWED_LATIN
    assert "lorem" not in text.lower()


def test_about_forty_topics_each_with_one_to_three_known_units():
    assert 38 <= len(TOPICS) <= 45
    assert len({t.key for t in TOPICS}) == len(TOPICS)
    for topic in TOPICS:
        assert 1 <= len(topic.units) <= 3, topic.key
        assert len(set(topic.units)) == len(topic.units)
        assert set(topic.units) <= set(UNITS)
        assert len(topic.measures) >= 4 and len(topic.facts) >= 4, topic.key
        assert len(topic.problems) >= 4 and len(topic.subjects) >= 4, topic.key
    assert set(UNITS) == {u for t in TOPICS for u in t.units}


def test_units_and_places_match_the_demo_committee():
    # The demo generator assigns proposals to HandlingUnit rows created by orgs.demo.
    assert set(UNITS) <= {name for name, _ in org_demo.HANDLING_UNITS}
    assert list(demo_texts.DISTRICTS) == org_demo.DISTRICTS
    assert demo_texts.CITY == org_demo.CITY


def test_every_topic_yields_a_titled_proposal_of_300_to_900_characters(by_topic):
    for key, texts in by_topic.items():
        for text in texts:
            assert isinstance(text, DemoText)
            assert text.topic == key
            assert text.units == demo_texts.TOPIC_BY_KEY[key].units
            assert text.title.startswith("关于") and text.title.endswith("建议"), text.title
            assert demo_texts.MIN_BODY <= len(text.body) <= demo_texts.MAX_BODY, len(text.body)
            assert_chinese_prose(text.title + text.body)


def test_a_proposal_has_situation_problems_and_two_to_four_numbered_suggestions(by_topic):
    markers = re.compile(r"（[一二三四五]）|^\d\.|[一二三四五]是", re.M)
    for texts in by_topic.values():
        for text in texts:
            assert re.search(r"\d", text.body), "the situation cites figures"
            assert "一是" in text.body  # problems are enumerated
            numbered = len(markers.findall(text.body))
            assert 4 <= numbered <= 8, text.body  # 2–4 problems + 2–4 suggestions


def test_same_topic_proposals_share_vocabulary_but_are_not_copies(by_topic):
    def words(text):
        return set(tokenize(text.title + text.body))

    def jaccard(a, b):
        return len(a & b) / len(a | b)

    same, across = [], []
    keys = list(by_topic)
    for i, key in enumerate(keys):
        texts = by_topic[key]
        assert len({t.body for t in texts}) == len(texts)
        same.append(jaccard(words(texts[0]), words(texts[1])))
        across.append(jaccard(words(texts[0]), words(by_topic[keys[i - 1]][0])))
    mean_same, mean_across = sum(same) / len(same), sum(across) / len(across)
    assert mean_same > 3 * mean_across
    assert max(same) < 0.95


def test_the_same_seed_gives_the_same_texts():
    assert proposals_per_topic(2, seed=11) == proposals_per_topic(2, seed=11)
    assert proposals_per_topic(2, seed=11) != proposals_per_topic(2, seed=12)


def test_topics_can_be_named_by_key_or_drawn_at_random():
    rng = random.Random(3)
    assert generate_proposal(rng, "elevators").topic == "elevators"
    drawn = Counter(generate_proposal(rng).topic for _ in range(400))
    assert len(drawn) > 30
    with pytest.raises(KeyError):
        generate_proposal(rng, "no-such-topic")


def test_reports_are_short_and_give_situation_causes_and_suggestions():
    rng = random.Random(5)
    for topic in TOPICS:
        for _ in range(3):
            text = generate_report(rng, topic)
            assert text.topic == topic.key and text.units == topic.units
            assert len(text.body) <= demo_texts.MAX_REPORT
            for heading in ("基本情况", "原因", "建议"):
                assert heading in text.body
            assert_chinese_prose(text.title + text.body)


def test_demo_texts_has_no_django_imports():
    tree = ast.parse(open(demo_texts.__file__, encoding="utf-8").read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"random", "dataclasses"}


def test_texts_cite_only_the_years_before_the_one_they_are_written_in():
    """The demo files texts in its assessed and current years, whatever day it is built:
    a figure "截至2030年底" in a proposal written in 2027 would give the date away."""
    rng = random.Random(9)
    for year in (2027, 2031):
        cited = set()
        for topic in TOPICS:
            for make in (generate_proposal, generate_report):
                text = make(rng, topic, year=year)
                cited |= {int(y) for y in re.findall(r"(\d{4})年", text.title + text.body)}
        cited.discard(2000)  # "2000年以前建成的老旧小区": the policy's own cut-off, not a figure
        assert cited and cited <= set(range(year - 5, year)), (year, sorted(cited))
