"""A YAML loader that remembers where things are and never produces floats.

Rubric and ledger errors must name the line a person has to fix, so every mapping and list
carries the line it starts on and the line of each key. Numbers with a fraction become
`Decimal` straight from their text: a score of -1.5 must stay exactly -1.5.

Only the plain scalars a committee means are read as something other than text: decimal
integers, decimals, true/false, null and dates. YAML 1.1 also reads `0012` as the octal 10,
`12:30` as the base-60 number 750 and `no`/`yes`/`on`/`off` as booleans; a zero-padded
member id or a time of day must stay what was typed, so those readings are switched off.
"""

import re
from decimal import Decimal, InvalidOperation

import yaml


class LineDict(dict):
    """A mapping that knows its own line and the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that knows the line it starts on and the line of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line):
        super().__init__(f"key {key!r} appears twice in one mapping")
        self.key = key
        self.line = line


class LineLoader(yaml.SafeLoader):
    """SafeLoader building LineDict/LineList and Decimal; refuses duplicate keys."""


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
LineLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, regexp) for tag, regexp in resolvers
                 if tag not in (_BOOL, _INT, _FLOAT)])
}
LineLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# No leading zero (octal), no 0x/0b, no base 60: `0012` and `12:30` stay text.
LineLoader.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
LineLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                        |[-+]?\.(?:inf|Inf|INF)
                        |\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789."))


def _mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            raise DuplicateKey(key, line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _decimal(loader: LineLoader, node: yaml.ScalarNode):
    text = node.value.replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        # .inf / .nan: keep them recognisable so validation can refuse them.
        return Decimal("NaN")


def _timestamp(loader: LineLoader, node: yaml.ScalarNode):
    # 2025-13-01 looks like a date to YAML but is not one; keep the text so the caller can
    # report it against its field instead of the whole file failing to parse.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
LineLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class YamlProblem(Exception):
    """The text is not YAML at all; `line` says where the parser gave up."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse(text: str):
    """Parse YAML text with line tracking; raise YamlProblem with a line on bad syntax."""
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
    except DuplicateKey as exc:
        raise YamlProblem(exc.line, str(exc)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"not valid YAML: {exc}") from None
