"""The rubric shipped with shixiao (examples/rubrics/shixiao-effect.yaml links here)."""

from pathlib import Path

DEFAULT_RUBRIC_PATH = Path(__file__).resolve().parent / "rubrics" / "shixiao-effect.yaml"


def default_rubric_text() -> str:
    return DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")
