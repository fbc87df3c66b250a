"""Assessment: the rubric language, its validation and the scoring engine.

Pure Python with no Django imports, so the same engine scores a ledger file from the command
line and the database through the ledger app. Entry points:

- `rubric.load(text)` / `rubric.validate(text)`: parse a rubric YAML file;
- `engine.score(rubric, entries, as_of)`: score members, with an explanation per line;
- `ledgerfile.read(path)`: read a ledger file (YAML or CSV) into entries.
"""

from shixiao.assessment.engine import MemberResult, score
from shixiao.assessment.entries import ENTRY_KINDS, LedgerEntry, MemberInfo
from shixiao.assessment.rubric import Rubric, RubricError, RubricInvalid, load, validate

__all__ = [
    "ENTRY_KINDS",
    "LedgerEntry",
    "MemberInfo",
    "MemberResult",
    "Rubric",
    "RubricError",
    "RubricInvalid",
    "load",
    "score",
    "validate",
]
