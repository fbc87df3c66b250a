"""Rubric words for pages and documents, in the reader's language.

A rubric's labels may be given per language (`label: {zh-hans: 实效, en: verified
outcomes}`); `label()` picks the active language's wording, and reads a label of older
rubrics written as `实效 / verified outcomes` the same way. A requirement without a label
is described in the ledger's own words (kinds, meetings, states …), never by its id.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shixiao.assessment.decimals import text as number_text
from shixiao.assessment.rubric import Requirement, Rubric, item_label, pick
from shixiao.ledger.labels import KINDS


def label(value, fallback: str = "") -> str:
    """A rubric's, category's, grade's … label in the active language."""
    return pick(value, get_language()) or fallback


def item(explained: dict, fallback_key: str = "id") -> str:
    """The label of a stored explanation item (category, pool, line, gate)."""
    return item_label(explained, get_language(), fallback_key)


def grade_labels(rubric: Rubric | None) -> dict[str, str]:
    return {g.id: label(g.label, g.id) for g in rubric.grades} if rubric else {}


def consequence_labels(rubric: Rubric | None) -> dict[str, str]:
    return {c.id: label(c.label, c.id) for c in rubric.consequences} if rubric else {}


def requirement_labels(rubric: Rubric | None) -> dict[str, str]:
    """Every gate requirement's words by id: its label, else what it asks for."""
    if rubric is None:
        return {}
    return {test.id: requirement_text(test, rubric) for gate in rubric.gates
            for clause in gate.clauses for test in clause}


def _values(values) -> str:
    from shixiao.dossier.labels import value_text

    values = values if isinstance(values, tuple) else (values,)
    return "/".join(value_text(v) for v in values)


def requirement_text(test: Requirement, rubric: Rubric | None = None) -> str:
    """A requirement in words: `全体会议 · 出席 ≥ 1` rather than `plenary`."""
    own = label(test.label)
    if own:
        return own
    if test.score is not None:
        categories = {c.id: c.label for c in rubric.categories} if rubric else {}
        categories |= {p.id: p.label for p in rubric.pools} if rubric else {}
        what = (_("total") if test.score == "total"
                else label(categories.get(test.score), test.score))
        unit = _("points")
    else:
        parts = []
        for field in (test.where.tests if test.where else ()):
            if field.field == "kind" and field.op in ("eq", "in"):
                kinds = field.operand if isinstance(field.operand, tuple) else (field.operand,)
                parts.insert(0, "/".join(str(KINDS.get(k, k)) for k in kinds))
            elif field.op in ("eq", "in"):
                parts.append(_values(field.operand))
            elif field.op in ("not", "not_in"):
                parts.append(_("not %(values)s") % {"values": _values(field.operand)})
            elif field.op in ("at_or_above", "at_or_below"):
                parts.append(_values(field.operand) + ("+" if field.op == "at_or_above"
                                                        else "-"))
        what = " · ".join(parts) or _("records")
        if test.sum:
            from shixiao.dossier.labels import ATTRIBUTES

            unit = str(ATTRIBUTES.get(test.sum) or test.sum)
        else:
            unit = _("times")
    bounds = []
    if test.at_least is not None:
        bounds.append(f"≥ {number_text(test.at_least)}")
    if test.at_most is not None:
        bounds.append(f"≤ {number_text(test.at_most)}")
    return f"{what} {' '.join(bounds)} {unit}".strip()
