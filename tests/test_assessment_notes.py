"""The engine writes its notes in English (the command line's and the stored explanation's
words); pages and Word reports show them in the reader's language."""

import re

import pytest
from django.utils import translation

from shixiao.assessment import engine, notes

SAMPLE = {"entry": "p-12", "field": "half_days", "rank": "2", "authors": "3",
          "whole": "20", "points": "6.67", "nth": "3", "skipped": "2", "measure": "2",
          "at_least": "3", "best": "r1=10", "others": "r2=6, r3=4", "group": "ref P-9",
          "who": "李主任", "max": "80", "min": "0", "raw": "-2.5"}


def test_every_engine_note_has_a_message_with_the_same_english():
    assert set(notes.MESSAGES) == set(engine.NOTES)
    with translation.override("en"):
        for code, template in engine.NOTES.items():
            assert str(notes.MESSAGES[code]) == template, code


@pytest.mark.parametrize("code", sorted(engine.NOTES))
def test_each_note_reads_back_in_chinese_with_its_numbers(code):
    written = engine.note(code, **SAMPLE)
    used = re.findall(r"%\((\w+)\)s", engine.NOTES[code])
    with translation.override("zh-hans"):
        shown = notes.translate(written)
    assert shown != written and re.search(r"[\u4e00-\u9fff]", shown), code
    for name in used:
        assert SAMPLE[name] in shown, (code, name)
    with translation.override("en"):
        assert notes.translate(written) == written


def test_a_cap_before_deductions_is_not_read_as_a_plain_cap():
    written = engine.note("cap_before_deductions", max="80", raw="100")
    with translation.override("zh-hans"):
        assert notes.translate(written).startswith("扣分前")


def test_a_note_no_template_knows_is_shown_as_written():
    with translation.override("zh-hans"):
        assert notes.translate("something an older version wrote") == (
            "something an older version wrote")
