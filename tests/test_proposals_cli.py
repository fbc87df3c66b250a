"""`shixiao proposals stats`: the committee's metrics as JSON or a table; unknown committees
and bad dates fail with a clear message and a non-zero exit."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from shixiao.cli import main
from shixiao.proposals import services as ps

from .proposals_kit import D, assigned, replied


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("proposals", "stats", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def handled(world):
    p = replied(world)                                   # replied 2025-05-20, grade B
    ps.rate(world.member1, p, process="satisfied", result="satisfied", on=D(2025, 5, 25))
    assigned(world, title="未答复", units=[world.unit2])   # due 2025-06-20, unanswered
    return world


def test_json_output_has_every_metric(handled):
    result = json.loads(run("--committee", "city", "--year", "2025", "--as-of", "2025-12-31",
                            "--format", "json"))
    assert (result["committee"], result["year"], result["as_of"]) == ("city", 2025,
                                                                      "2025-12-31")
    assert result["overall"]["reply"]["due"] == 2 and result["overall"]["reply"]["rate"] == 0.5
    assert result["overall"]["reply"]["overdue_unreplied"] == 1
    assert result["overall"]["satisfaction"]["process"]["rate"] == 1.0
    # 6-month review due 20 November, not reviewed: fulfilment 0 beside satisfaction 100%.
    assert result["overall"]["satisfaction"]["fulfilment_alongside"]["6"] == 0.0
    assert result["unit_ranking"]["min_sample"] == 5
    assert {u["name"] for u in result["by_unit"]} == {"市教育局", "市交通运输局"}


def test_the_minimum_sample_can_be_lowered(handled):
    result = json.loads(run("--committee", "city", "--as-of", "2025-12-31", "--format",
                            "json", "--min-sample", "1"))
    assert [e["name"] for e in result["unit_ranking"]["ranked"]] == ["市教育局"]


def test_table_output_puts_satisfaction_beside_fulfilment(handled):
    text = run("--committee", "city", "--year", "2025", "--as-of", "2025-12-31")
    assert "示范市政协 (city) · 2025 · as of 2025-12-31" in text
    assert "Reply rate (办复率)  1/2 50.0%" in text
    satisfaction = next(line for line in text.splitlines() if line.startswith("Satisfaction"))
    assert "read with fulfilment (latest) 0.0%" in satisfaction
    assert "Too few to rank: " in text


def test_unknown_committee_fails_clearly(world):
    with pytest.raises(CommandError, match="no committee with code 'nowhere'"):
        run("--committee", "nowhere")


def test_bad_date_fails_clearly(world):
    with pytest.raises(CommandError, match="not a date"):
        run("--committee", "city", "--as-of", "31/12/2025")


def test_a_committee_with_nothing_registered_gives_empty_figures_not_an_error(world):
    result = json.loads(run("--committee", "other", "--format", "json"))
    assert result["overall"]["proposals"] == 0 and result["overall"]["reply"]["rate"] is None


@pytest.mark.django_db(transaction=True)
def test_the_shixiao_command_exits_non_zero_on_errors(capsys):
    # Transactional: a command run from argv closes the database connection when done.
    with pytest.raises(SystemExit) as exc:
        main(["shixiao", "proposals", "stats", "--committee", "nowhere"])
    assert exc.value.code == 1
    assert "nowhere" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["shixiao", "proposals", "stats", "--committee", "city", "--as-of", "soon"])
    assert exc.value.code == 2
    assert "soon" in capsys.readouterr().err
