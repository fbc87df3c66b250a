"""compiled.decision_tree folds many count predicates into one tree the database walks once
per entry: an entry must reach a leaf naming exactly the columns whose predicates hold for
it, whatever the predicates. Pure: no database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shixiao.assessment import compiled

KINDS = ["proposal", "attendance", "study"]
ROLES = ["member", "standing"]
TEXTS = ["a", "b", "c"]


def leaf_predicates():
    text_attr = st.sampled_from(["x", "y"])
    values = st.lists(st.sampled_from(TEXTS), min_size=1, max_size=2, unique=True).map(
        lambda v: tuple(sorted(v)))
    return st.one_of(
        st.just(compiled.TRUE),
        st.lists(st.sampled_from(KINDS), min_size=1, max_size=2).map(
            lambda v: ("kind", frozenset(v))),
        st.lists(st.sampled_from(ROLES), min_size=1, max_size=1).map(
            lambda v: ("role", frozenset(v))),
        st.tuples(st.sampled_from(["attr_in", "attr_not_in"]), text_attr, values),
        st.tuples(st.sampled_from(["attr_in", "attr_not_in"]), st.just("f"),
                  st.sampled_from([(True,), (False,), (False, True)])),
    )


predicates = st.recursive(
    leaf_predicates(),
    lambda inner: st.one_of(
        inner.map(lambda p: ("not", p)),
        st.tuples(st.sampled_from(["and", "or"]),
                  st.lists(inner, min_size=2, max_size=3).map(tuple))),
    max_leaves=6)

rows = st.fixed_dictionaries({
    "kind": st.sampled_from([*KINDS, "writing"]),
    "role": st.sampled_from(ROLES),
    "x": st.sampled_from([None, *TEXTS, "z"]),  # None: the entry has no such attribute
    "y": st.sampled_from([None, *TEXTS]),
    "f": st.sampled_from([None, "true", "false"]),  # JSON true/false as ->> reads them
})


def spell(value):
    return ("true" if value else "false") if value.__class__ is bool else value


def holds(pred, row) -> bool:
    """The predicate language as documented in compiled: a missing attribute is never in
    a list and always outside one."""
    op = pred[0]
    if op == "true":
        return True
    if op in ("kind", "role"):
        return row[op] in pred[1]
    if op in ("attr_in", "attr_not_in"):
        inside = row[pred[1]] is not None and row[pred[1]] in {spell(v) for v in pred[2]}
        return inside if op == "attr_in" else not inside
    if op == "not":
        return not holds(pred[1], row)
    results = [holds(p, row) for p in pred[1]]
    return all(results) if op == "and" else any(results)


def walk(node, row) -> frozenset:
    """What the database does with one entry."""
    while isinstance(node, compiled.Branch):
        var = node.var
        value = row[var[0]] if var[0] in ("kind", "role") else row[var[1]]
        node = next((child for case, child in node.cases if case == value), node.other)
    return node


@settings(max_examples=300, deadline=None)
@given(columns=st.lists(predicates, min_size=1, max_size=6), entries=st.lists(rows, max_size=8))
def test_an_entry_reaches_exactly_the_columns_whose_predicates_hold(columns, entries):
    try:
        tree = compiled.decision_tree(columns, spell)
    except compiled.TreeTooLarge:
        return
    for row in entries:
        expected = {i for i, pred in enumerate(columns) if holds(pred, row)}
        assert walk(tree, row) == expected


def test_each_attribute_is_read_once_on_any_path():
    columns = [("and", (("kind", frozenset({"attendance"})), ("attr_in", "x", (m,)),
                        ("attr_in", "y", ("late", "gone"))))
               for m in ("plenary", "group", "other")]
    tree = compiled.decision_tree(columns, spell)

    def paths(node, seen=()):
        if not isinstance(node, compiled.Branch):
            yield seen
            return
        for child in [c for _, c in node.cases] + [node.other]:
            yield from paths(child, (*seen, node.var))

    for path in paths(tree):
        assert len(path) == len(set(path))
    assert walk(tree, {"kind": "attendance", "x": "group", "y": "gone"}) == {1}
    assert walk(tree, {"kind": "study", "x": "group", "y": "gone"}) == set()


def test_a_tree_past_its_node_limit_is_refused():
    columns = [("attr_in", name, (v,)) for name in ("x", "y", "z") for v in TEXTS]
    with pytest.raises(compiled.TreeTooLarge):
        compiled.decision_tree(columns, spell, limit=10)
