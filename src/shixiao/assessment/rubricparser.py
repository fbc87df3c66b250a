"""From rubric text to a `Rubric`: every key checked, every problem reported with its line.

Used through `rubric.load` and `rubric.validate`. The parser keeps going after a problem so
one run lists all of them, the way a committee's office wants to fix a draft.
"""

import dataclasses
import datetime as dt
import re
from decimal import Decimal

from shixiao.assessment.conditions import Condition, compile_condition, normal
from shixiao.assessment.decimals import REMAINDER_POLICIES, ROUNDING_MODES, Rounding, to_decimal
from shixiao.assessment.entries import MEMBERSHIP_ROLES
from shixiao.assessment.rubric import (
    CONSEQUENCE_SPANS,
    RANKING_SCOPES,
    RULE_KINDS,
    TOTAL,
    Category,
    Consequence,
    Gate,
    Grade,
    Label,
    Points,
    PointsTable,
    Pool,
    Ranking,
    Requirement,
    Rubric,
    RubricError,
    Rule,
    Tier,
    Total,
)
from shixiao.assessment.yamlload import LineDict, LineList, YamlProblem, parse
from shixiao.ledger.kinds import SPECS

TOP_KEYS = {"rubric", "label", "version", "period", "roles", "rounding", "order", "total",
            "pools", "categories", "rules", "gates", "grades", "consequences", "ranking",
            "notes"}
CATEGORY_KEYS = {"id", "label", "start", "max", "min", "pool", "deduct_after_cap", "by_role",
                 "rules", "notes"}
CATEGORY_ROLE_KEYS = {"start", "max", "min"}
RULE_KEYS = {"id", "label", "kind", "category", "where", "unless", "applies_to", "points",
             "per", "from_nth", "split", "at_least", "tiers", "group_by", "max", "min",
             "by_role", "rounding", "notes"}
RULE_ROLE_KEYS = {"points", "max", "min", "at_least"}
TOTAL_KEYS = {"base", "max", "min", "by_role"}
TOTAL_ROLE_KEYS = {"base", "max", "min"}


def parse_rubric(text: str) -> tuple[Rubric | None, list[RubricError]]:
    """The rubric (None if it has problems) and every problem, in line order."""
    return _Parser().run(text)


def check_rubric(text: str) -> tuple[list[RubricError], list[RubricError]]:
    """Every problem, then every warning: a name or value no ledger entry can carry, so
    the rule or requirement would never match (`rubric check --strict` refuses those too)."""
    parser = _Parser()
    _, errors = parser.run(text)
    return errors, sorted(parser.warnings, key=lambda e: (e.line, e.rule_id, e.message))


# A language code as a per-language label's key: zh-hans, en, zh-Hant-TW.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

# Top-level keys whose list items have ids, and the section an item there belongs to.
_ITEM_SECTIONS = {"pools": "pool", "categories": "category", "rules": "rule",
                  "grades": "grade band", "gates": "gate", "consequences": "consequence"}


def _yaml_error(text: str, problem: YamlProblem) -> RubricError:
    """The parser's complaint, with the item it is in and a hint where one helps: `: ` in
    an unquoted label (`label: 出席: 全体会议`) reads as a second mapping."""
    if "mapping values are not allowed" not in problem.message:
        return RubricError(problem.line, "-", problem.message, "rubric")
    lines = text.splitlines()[:problem.line]
    owner, section, id_indent = "-", "rubric", None
    for number in range(len(lines) - 1, -1, -1):
        content = lines[number]
        stripped = content.lstrip(" -{")
        indent = len(content) - len(content.lstrip())
        if owner == "-" and (found := re.search(r"(?:^|[{,\s])id:\s*([^,}\s]+)", content)):
            owner, id_indent = found.group(1).strip("'\""), indent
            section = "item"
        elif owner != "-" and indent < (id_indent or 0) and stripped.startswith("rules:"):
            section = "rule"
        elif indent == 0 and stripped and not content.startswith(("#", "-")):
            key = stripped.split(":", 1)[0]
            if section == "item":
                section = _ITEM_SECTIONS.get(key, "rubric")
            break
    if section == "item":
        section = "rubric"
    message = (f"{problem.message}; text containing ': ' must be quoted, "
               f"e.g. label: \"出席: 全体会议\"")
    return RubricError(problem.line, owner, message, section)


class _Parser:
    def __init__(self):
        self.errors: list[RubricError] = []
        self.warnings: list[RubricError] = []
        # The kind of section being read, so a message names it: "grade band fail", not
        # "rule fail".
        self.section = "rubric"

    def err(self, line: int, owner: str, message: str) -> None:
        self.errors.append(RubricError(line, owner, message, self.section))

    def warn(self, line: int, owner: str, message: str) -> None:
        self.warnings.append(RubricError(line, owner, message, self.section, warning=True))

    def label(self, data: LineDict, owner: str) -> Label:
        """`label: text` or `label: {zh-hans: text, en: text}` (one wording per language)."""
        value = data.get("label")
        if value is None:
            return Label("")
        if isinstance(value, LineDict):
            wordings = []
            for code, text in value.items():
                if not isinstance(code, str) or not _LANGUAGE.match(code):
                    self.err(value.line_of(code), owner,
                             f"label: {code!r} is not a language code (e.g. zh-hans, en)")
                elif not isinstance(text, str | int) or isinstance(text, bool):
                    self.err(value.line_of(code), owner, f"label: {code} must be text")
                else:
                    wordings.append((code, str(text)))
            if not wordings:
                if not value:
                    self.err(data.line_of("label"), owner, "label: no wording given")
                return Label("")
            own = dict(wordings).get("zh-hans", wordings[0][1])
            return Label(own, wordings)
        if isinstance(value, LineList) or isinstance(value, bool):
            self.err(data.line_of("label"), owner,
                     "label must be text or a mapping of language: text "
                     "(e.g. {zh-hans: 实效, en: verified outcomes})")
            return Label("")
        return Label(str(value))

    # -- the ledger's vocabulary (shixiao.ledger.kinds): what entries can carry

    def attribute(self, name, kinds, line: int, owner: str, what: str) -> None:
        """Warn when no entry of `kinds` (any kind: None) carries attribute `name`."""
        if not isinstance(name, str) or name == "kind":
            return
        named = sorted(kinds) if kinds else [k for k in SPECS if k != "void"]
        if any(name in SPECS.get(kind, {}) for kind in named):
            return
        if kinds:
            known = sorted({a for kind in named for a in SPECS.get(kind, {})})
            self.warn(line, owner, f"{what}: no {'/'.join(named)} entry carries {name!r} "
                      f"(known: {', '.join(known) or 'none'})")
        else:
            self.warn(line, owner, f"{what}: no ledger entry carries {name!r}")

    def values(self, name: str, values, kinds, line: int, owner: str, what: str) -> None:
        """Warn about values of `name` that no entry of `kinds` can hold."""
        named = sorted(kinds) if kinds else [k for k in SPECS if k != "void"]
        choices: set[str] = set()
        for kind in named:
            attr = SPECS.get(kind, {}).get(name)
            if attr is None:
                continue
            if attr.choices is None:
                return  # free text somewhere: any value may occur
            choices |= set(attr.choices)
        if not choices:
            return
        bad = [v for v in values if isinstance(v, str) and v not in choices]
        for value in bad:
            self.warn(line, owner, f"{what}: {name} {value!r} is not a value entries carry "
                      f"(known: {', '.join(sorted(choices))})")

    def vocabulary(self, condition: Condition, kinds, line_of, owner: str, what: str) -> None:
        kinds = condition.kinds or kinds
        for test in condition.tests:
            if test.field == "kind":
                continue
            line = line_of(test.field)
            self.attribute(test.field, kinds, line, owner, what)
            if test.op in ("eq", "in", "not", "not_in"):
                operands = test.operand if isinstance(test.operand, tuple) else (test.operand,)
                self.values(test.field, operands, kinds, line, owner, what)

    def points_vocabulary(self, points, kinds, line: int, owner: str) -> None:
        if not isinstance(points, PointsTable):
            return
        if points.by != "kind":
            self.attribute(points.by, kinds, line, owner, "points.by")
            self.values(points.by, [c for c, _ in points.values], kinds, line, owner,
                        "points.values")
        for _, sub in points.values:
            self.points_vocabulary(sub, kinds, line, owner)
        self.points_vocabulary(points.default, kinds, line, owner)

    # -- helpers

    def keys(self, data: LineDict, allowed: set, required: tuple, owner: str) -> None:
        for key in data:
            if key not in allowed:
                self.err(data.line_of(key), owner,
                         f"unknown key {key!r} (expected one of: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in data:
                self.err(data.line, owner, f"missing required key {key!r}")

    def mapping(self, value, line: int, owner: str, what: str) -> LineDict | None:
        if isinstance(value, LineDict):
            return value
        self.err(line, owner, f"{what} must be a mapping")
        return None

    def items(self, value, line: int, owner: str, what: str) -> LineList:
        if value is None:
            return LineList()
        if isinstance(value, LineList):
            return value
        self.err(line, owner, f"{what} must be a list")
        return LineList()

    def number(self, data: LineDict, key: str, owner: str, default=None) -> Decimal | None:
        if key not in data:
            return default
        number = to_decimal(data[key])
        if number is None:
            self.err(data.line_of(key), owner, f"{key} must be a number, got {data[key]!r}")
            return default
        return number

    def cap(self, data: LineDict, owner: str, what: str):
        """Read max/min of a rule, category, pool or the total; a cap below zero is an error."""
        high = self.number(data, "max", owner)
        low = self.number(data, "min", owner)
        if high is not None and high < 0:
            self.err(data.line_of("max"), owner,
                     f"cap below zero: max {high} on {what} (use min for a deduction budget)")
        if high is not None and low is not None and low > high:
            self.err(data.line_of("min"), owner, f"min {low} is above max {high} on {what}")
        return high, low

    def ident(self, data: LineDict, owner: str, seen: dict, what: str) -> str | None:
        value = data.get("id")
        if value is None:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.err(data.line_of("id"), owner, f"{what} id must be a name")
            return None
        value = str(value)
        if value == TOTAL:
            self.err(data.line_of("id"), value, f"{what} id 'total' is reserved")
        if value in seen:
            self.err(data.line_of("id"), value,
                     f"duplicate {what} id {value!r} (first defined on line {seen[value]})")
        else:
            seen[value] = data.line_of("id")
        return value

    def roles_list(self, data: LineDict, key: str, owner: str, roles) -> tuple[str, ...] | None:
        if key not in data:
            return None
        value = data[key]
        names = value if isinstance(value, list) else [value]
        for name in names:
            if name not in roles:
                self.err(data.line_of(key), owner,
                         f"unknown role {name!r} (roles: {', '.join(roles)})")
        return tuple(str(n) for n in names)

    def by_role(self, data: LineDict, owner: str, roles, allowed: set, convert) -> tuple:
        if "by_role" not in data:
            return ()
        spec = self.mapping(data["by_role"], data.line_of("by_role"), owner, "by_role")
        if spec is None:
            return ()
        result = []
        for role, overrides in spec.items():
            if role not in roles:
                self.err(spec.line_of(role), owner,
                         f"unknown role {role!r} (roles: {', '.join(roles)})")
                continue
            body = self.mapping(overrides, spec.line_of(role), owner, f"by_role.{role}")
            if body is None:
                continue
            self.keys(body, allowed, (), owner)
            converted = convert(body)
            result.append((str(role), tuple(sorted(converted.items()))))
        return tuple(result)

    def rounding(self, data, line: int, owner: str, default: Rounding) -> Rounding:
        body = self.mapping(data, line, owner, "rounding")
        if body is None:
            return default
        self.keys(body, {"places", "mode", "remainder"}, (), owner)
        places = body.get("places", default.places)
        mode = body.get("mode", default.mode)
        remainder = body.get("remainder", default.remainder)
        ok = True
        if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 10:
            self.err(body.line_of("places"), owner,
                     f"bad rounding policy: places must be a whole number 0-10, got {places!r}")
            ok = False
        if mode not in ROUNDING_MODES:
            self.err(body.line_of("mode"), owner,
                     f"bad rounding policy: mode {mode!r} "
                     f"(known: {', '.join(ROUNDING_MODES)})")
            ok = False
        if remainder not in REMAINDER_POLICIES:
            self.err(body.line_of("remainder"), owner,
                     f"bad rounding policy: remainder {remainder!r} "
                     f"(known: {', '.join(REMAINDER_POLICIES)})")
            ok = False
        return Rounding(places, mode, remainder) if ok else default

    def points(self, value, line: int, owner: str) -> Points | None:
        if isinstance(value, LineDict):
            self.keys(value, {"by", "values", "default"}, ("by", "values"), owner)
            by = value.get("by")
            if by is not None and not isinstance(by, str):
                self.err(value.line_of("by"), owner, "points.by must be an attribute name")
            table = value.get("values")
            if not isinstance(table, LineDict) or not table:
                if "values" in value:
                    self.err(value.line_of("values"), owner,
                             "points.values must map attribute values to points")
                return None
            pairs = []
            for key, sub in table.items():
                parsed = self.points(sub, table.line_of(key), owner)
                if parsed is not None:
                    pairs.append((str(normal(key)), parsed))
            default = None
            if "default" in value:
                default = self.points(value["default"], value.line_of("default"), owner)
            return PointsTable(str(by), tuple(pairs), default)
        number = to_decimal(value)
        if number is None:
            self.err(line, owner, f"points must be a number or a points table, got {value!r}")
            return None
        return number

    def condition(self, data: LineDict, key: str, owner: str, kinds=None) -> Condition:
        """The condition under `key`; `kinds` are the entry kinds it is about when it does
        not name them (an `unless` is about its rule's kinds)."""
        if key not in data:
            return Condition()
        value = data[key]
        line = data.line_of(key)

        def line_of(k):
            return value.line_of(k) if isinstance(value, LineDict) and k is not None else line

        errors = len(self.errors)
        condition = compile_condition(value, line_of, lambda ln, msg: self.err(ln, owner, msg))
        if len(self.errors) == errors:
            self.vocabulary(condition, kinds, line_of, owner, key)
        return condition

    # -- sections

    def run(self, text: str) -> tuple[Rubric | None, list[RubricError]]:
        try:
            data = parse(text)
        except YamlProblem as exc:
            return None, [_yaml_error(text, exc)]
        if not isinstance(data, LineDict):
            return None, [RubricError(1, "-", "a rubric must be a mapping with a `rubric` id")]
        rubric = self.rubric(data)
        self.errors.sort(key=lambda e: (e.line, e.rule_id, e.message))
        return (None if self.errors else rubric), self.errors

    def rubric(self, data: LineDict) -> Rubric:
        self.section = "rubric"
        owner = str(data.get("rubric", "-"))
        self.keys(data, TOP_KEYS, ("rubric", "categories"), owner)
        roles = self.items(data.get("roles", LineList(MEMBERSHIP_ROLES)), data.line_of("roles"),
                           owner, "roles")
        roles = tuple(str(r) for r in roles) or MEMBERSHIP_ROLES
        rounding = Rounding()
        self.section = "rounding"
        if "rounding" in data:
            rounding = self.rounding(data["rounding"], data.line_of("rounding"), "rounding",
                                     rounding)
        period_from = period_to = None
        self.section = "period"
        if "period" in data:
            period = self.mapping(data["period"], data.line_of("period"), "period", "period")
            if period is not None:
                self.keys(period, {"from", "to"}, ("from", "to"), "period")
                period_from, period_to = period.get("from"), period.get("to")
                for key, value in (("from", period_from), ("to", period_to)):
                    if key in period and not isinstance(value, dt.date):
                        self.err(period.line_of(key), "period",
                                 f"period {key} must be a date (YYYY-MM-DD), got {value!r}")
                if (isinstance(period_from, dt.date) and isinstance(period_to, dt.date)
                        and period_from > period_to):
                    self.err(period.line, "period", "period starts after it ends")

        pools, pool_lines = self.pools(data, roles)
        categories = self.categories(data, roles, rounding, pools)
        self.section = "order"
        categories = self.ordered(data, categories)
        self.section = "pool"
        score_targets = {c.id for c in categories} | {p.id for p in pools} | {TOTAL}
        for pool in pools:
            if pool.id in {c.id for c in categories}:
                self.err(pool_lines[pool.id], pool.id,
                         f"pool id {pool.id!r} is also a category id")
        self.section = "grade band"
        grades = self.grades(data)
        self.section = "gate"
        gates = self.gates(data, roles, score_targets, {g.id for g in grades})
        self.section = "consequence"
        consequences = self.consequences(data, {g.id for g in grades}, {g.id for g in gates})
        self.section = "total"
        total = self.total(data, roles)
        self.section = "ranking"
        ranking = self.ranking(data)
        return Rubric(
            id=owner,
            label=self.label(data, owner),
            version=str(data.get("version", "")),
            period_from=period_from if isinstance(period_from, dt.date) else None,
            period_to=period_to if isinstance(period_to, dt.date) else None,
            roles=roles,
            rounding=rounding,
            total=total,
            pools=tuple(pools),
            categories=tuple(categories),
            gates=tuple(gates),
            grades=tuple(grades),
            consequences=tuple(consequences),
            ranking=ranking,
        )

    def total(self, data: LineDict, roles) -> Total:
        if "total" not in data:
            return Total()
        body = self.mapping(data["total"], data.line_of("total"), TOTAL, "total")
        if body is None:
            return Total()
        self.keys(body, TOTAL_KEYS, (), TOTAL)
        high, low = self.cap(body, TOTAL, "the total")

        def convert(overrides):
            self.cap(overrides, TOTAL, "the total")
            return {k: self.number(overrides, k, TOTAL) for k in overrides
                    if k in TOTAL_ROLE_KEYS}

        return Total(
            base=self.number(body, "base", TOTAL, Decimal(0)),
            max=high,
            min=low,
            by_role=self.by_role(body, TOTAL, roles, TOTAL_ROLE_KEYS, convert),
        )

    def pools(self, data: LineDict, roles) -> tuple[list[Pool], dict]:
        self.section = "pool"
        pools, seen = [], {}
        for index, item in enumerate(self.items(data.get("pools"), data.line_of("pools"),
                                                "pools", "pools")):
            body = self.mapping(item, data["pools"].line_of(index), "pools", "a pool")
            if body is None:
                continue
            pool_id = self.ident(body, "pools", seen, "pool") or "?"
            self.keys(body, {"id", "label", "max", "min", "notes"}, ("id",), pool_id)
            high, low = self.cap(body, pool_id, f"pool {pool_id}")
            pools.append(Pool(pool_id, body.line, self.label(body, pool_id), high, low))
        return pools, seen

    def categories(self, data: LineDict, roles, rounding: Rounding, pools) -> list[Category]:
        pool_ids = {p.id for p in pools}
        seen_categories: dict = {}
        seen_rules: dict = {}
        parsed: list[tuple[Category, list[Rule]]] = []
        self.section = "category"
        raw = self.items(data.get("categories"), data.line_of("categories"), "categories",
                         "categories")
        for index, item in enumerate(raw):
            body = self.mapping(item, raw.line_of(index), "categories", "a category")
            if body is None:
                continue
            cat_id = self.ident(body, "categories", seen_categories, "category") or "?"
            self.keys(body, CATEGORY_KEYS, ("id",), cat_id)
            high, low = self.cap(body, cat_id, f"category {cat_id}")
            pool = body.get("pool")
            if pool is not None and pool not in pool_ids:
                self.err(body.line_of("pool"), cat_id, f"undefined pool {pool!r}")
            after = body.get("deduct_after_cap", False)
            if not isinstance(after, bool):
                self.err(body.line_of("deduct_after_cap"), cat_id,
                         "deduct_after_cap must be true or false")
                after = False

            def convert(overrides, cat_id=cat_id):
                self.cap(overrides, cat_id, f"category {cat_id}")
                return {k: self.number(overrides, k, cat_id) for k in overrides
                        if k in CATEGORY_ROLE_KEYS}

            category = Category(
                id=cat_id,
                line=body.line,
                label=self.label(body, cat_id),
                start=self.number(body, "start", cat_id, Decimal(0)),
                max=high,
                min=low,
                pool=pool if pool in pool_ids else None,
                deduct_after_cap=after,
                by_role=self.by_role(body, cat_id, roles, CATEGORY_ROLE_KEYS, convert),
            )
            rules = []
            raw_rules = self.items(body.get("rules"), body.line_of("rules"), cat_id, "rules")
            for r_index, rule_data in enumerate(raw_rules):
                rule = self.rule(rule_data, raw_rules.line_of(r_index), cat_id, roles,
                                 rounding, seen_rules)
                if rule is not None:
                    rules.append(rule)
            parsed.append((category, rules))
        self.section = "rule"

        by_id = {c.id: rules for c, rules in parsed}
        flat = self.items(data.get("rules"), data.line_of("rules"), "rules", "rules")
        for index, rule_data in enumerate(flat):
            rule = self.rule(rule_data, flat.line_of(index), None, roles, rounding, seen_rules)
            if rule is None:
                continue
            if rule.category not in by_id:
                self.err(rule.line, rule.id, f"rule refers to undefined category "
                         f"{rule.category!r}")
                continue
            by_id[rule.category].append(rule)
        return [dataclasses.replace(c, rules=tuple(by_id[c.id])) for c, _ in parsed]

    def ordered(self, data: LineDict, categories: list[Category]) -> list[Category]:
        if "order" not in data:
            return categories
        order = self.items(data["order"], data.line_of("order"), "order", "order")
        by_id = {c.id: c for c in categories}
        result, used = [], set()
        for index, name in enumerate(order):
            if name not in by_id:
                self.err(order.line_of(index), "order", f"order refers to undefined category "
                         f"{name!r}")
            elif name in used:
                self.err(order.line_of(index), "order", f"category {name!r} listed twice")
            else:
                used.add(name)
                result.append(by_id[name])
        return result + [c for c in categories if c.id not in used]

    def rule(self, data, line: int, category: str | None, roles, rounding, seen) -> Rule | None:
        outer, self.section = self.section, "rule"
        try:
            return self._rule(data, line, category, roles, rounding, seen)
        finally:
            self.section = outer

    def _rule(self, data, line: int, category: str | None, roles, rounding,
              seen) -> Rule | None:
        body = self.mapping(data, line, category or "rules", "a rule")
        if body is None:
            return None
        rule_id = self.ident(body, category or "rules", seen, "rule") or "?"
        required = ("id", "kind") if category else ("id", "kind", "category")
        self.keys(body, RULE_KEYS, required, rule_id)
        if category and "category" in body and body["category"] != category:
            self.err(body.line_of("category"), rule_id,
                     f"rule sits in category {category!r} but names {body['category']!r}")
        kind = body.get("kind")
        if "kind" in body and kind not in RULE_KINDS:
            self.err(body.line_of("kind"), rule_id,
                     f"unknown rule kind {kind!r} (known: {', '.join(RULE_KINDS)})")
        points = None
        if "points" in body:
            points = self.points(body["points"], body.line_of("points"), rule_id)
        elif kind in ("per_unit", "highest") or (kind == "threshold" and "tiers" not in body):
            self.err(body.line, rule_id, f"missing required key 'points' for a {kind} rule")
        if kind == "manual" and "points" in body:
            self.err(body.line_of("points"), rule_id,
                     "a manual rule takes its points from each entry; remove points")
        if kind == "threshold" and isinstance(points, PointsTable):
            self.err(body.line_of("points"), rule_id,
                     "a threshold rule awards a single number of points")
        high, low = self.cap(body, rule_id, f"rule {rule_id}")
        from_nth = body.get("from_nth", 1)
        if not isinstance(from_nth, int) or isinstance(from_nth, bool) or from_nth < 1:
            self.err(body.line_of("from_nth"), rule_id, "from_nth must be a whole number >= 1")
            from_nth = 1
        at_least = self.number(body, "at_least", rule_id, Decimal(1))
        if at_least < 0:
            self.err(body.line_of("at_least"), rule_id, "at_least cannot be below zero")
        tiers = self.tiers(body, rule_id)
        split = body.get("split", False)
        if not isinstance(split, bool):
            self.err(body.line_of("split"), rule_id, "split must be true or false")
            split = False
        for key, allowed in (("from_nth", ("per_unit",)), ("split", ("per_unit", "highest")),
                             ("at_least", ("threshold",)), ("tiers", ("threshold",)),
                             ("group_by", ("highest",)), ("per", ("per_unit", "threshold"))):
            if key in body and kind in RULE_KINDS and kind not in allowed:
                self.err(body.line_of(key), rule_id,
                         f"{key} does not apply to a {kind} rule (only {', '.join(allowed)})")
        for key in ("per", "group_by"):
            if key in body and not isinstance(body[key], str):
                self.err(body.line_of(key), rule_id, f"{key} must be an attribute name")
        where = self.condition(body, "where", rule_id)
        if isinstance(points, PointsTable):
            self.points_vocabulary(points, where.kinds, body.line_of("points"), rule_id)
        for key in ("per", "group_by"):
            if isinstance(body.get(key), str):
                self.attribute(body[key], where.kinds, body.line_of(key), rule_id, key)
        if kind in RULE_KINDS and kind != "manual" and "where" not in body:
            # A rule without a condition would score every entry of every kind.
            self.err(body.line, rule_id, f"missing required key 'where' for a {kind} rule")
        if kind == "manual":
            kinds = where.kinds
            if kinds is not None and kinds != {"manual"}:
                self.err(body.line_of("where"), rule_id, "a manual rule scores manual entries")

        def convert(overrides, rule_id=rule_id):
            result = {}
            for key in overrides:
                if key == "points":
                    result["points"] = self.points(overrides["points"],
                                                   overrides.line_of("points"), rule_id)
                elif key in ("max", "min", "at_least"):
                    result[key] = self.number(overrides, key, rule_id)
            self.cap(overrides, rule_id, f"rule {rule_id}")
            return result

        rule_rounding = rounding
        if "rounding" in body:
            rule_rounding = self.rounding(body["rounding"], body.line_of("rounding"), rule_id,
                                          rounding)
        return Rule(
            id=rule_id,
            kind=kind if kind in RULE_KINDS else "per_unit",
            category=category or str(body.get("category")),
            line=body.line,
            label=self.label(body, rule_id),
            where=where,
            unless=self.condition(body, "unless", rule_id, where.kinds),
            applies_to=self.roles_list(body, "applies_to", rule_id, roles),
            points=points,
            per=body.get("per") if isinstance(body.get("per"), str) else None,
            from_nth=from_nth,
            split=split,
            at_least=at_least,
            tiers=tiers,
            group_by=body.get("group_by") if isinstance(body.get("group_by"), str) else None,
            max=high,
            min=low,
            by_role=self.by_role(body, rule_id, roles, RULE_ROLE_KEYS, convert),
            rounding=rule_rounding,
        )

    def tiers(self, body: LineDict, rule_id: str) -> tuple[Tier, ...]:
        if "tiers" not in body:
            return ()
        raw = self.items(body["tiers"], body.line_of("tiers"), rule_id, "tiers")
        tiers = []
        for index, item in enumerate(raw):
            tier = self.mapping(item, raw.line_of(index), rule_id, "a tier")
            if tier is None:
                continue
            self.keys(tier, {"at_least", "points"}, ("at_least", "points"), rule_id)
            at_least = self.number(tier, "at_least", rule_id)
            points = self.number(tier, "points", rule_id)
            if at_least is not None and points is not None:
                tiers.append(Tier(at_least, points))
        if len({t.at_least for t in tiers}) != len(tiers):
            self.err(raw.line, rule_id, "two tiers with the same at_least")
        return tuple(sorted(tiers, key=lambda t: t.at_least))

    def grades(self, data: LineDict) -> list[Grade]:
        grades, seen = [], {}
        raw = self.items(data.get("grades"), data.line_of("grades"), "grades", "grades")
        for index, item in enumerate(raw):
            body = self.mapping(item, raw.line_of(index), "grades", "a grade")
            if body is None:
                continue
            grade_id = self.ident(body, "grades", seen, "grade") or "?"
            self.keys(body, {"id", "label", "min", "below", "notes"}, ("id", "min"), grade_id)
            low = self.number(body, "min", grade_id)
            below = self.number(body, "below", grade_id)
            if low is None:
                continue
            if below is not None and below <= low:
                self.err(body.line_of("below"), grade_id, "grade band is empty: below <= min")
                continue
            grades.append(Grade(grade_id, low, body.line, self.label(body, grade_id), below))
        ordered = sorted(grades, key=lambda g: g.min, reverse=True)
        for higher, lower in zip(ordered, ordered[1:], strict=False):
            if higher.min == lower.min:
                self.err(max(higher.line, lower.line), lower.id,
                         f"overlapping grade bands: {higher.id} and {lower.id} both start "
                         f"at {lower.min}")
            elif lower.below is not None and lower.below > higher.min:
                self.err(lower.line, lower.id,
                         f"overlapping grade bands: {lower.id} runs below {lower.below}, "
                         f"past the start of {higher.id} at {higher.min}")
        return ordered

    def gates(self, data: LineDict, roles, targets: set, grades: set) -> list[Gate]:
        gates, seen = [], {}
        raw = self.items(data.get("gates"), data.line_of("gates"), "gates", "gates")
        for index, item in enumerate(raw):
            body = self.mapping(item, raw.line_of(index), "gates", "a gate")
            if body is None:
                continue
            gate_id = self.ident(body, "gates", seen, "gate") or "?"
            self.keys(body, {"id", "label", "applies_to", "all_of", "any_of", "on_fail",
                             "notes"}, ("id",), gate_id)
            if ("all_of" in body) == ("any_of" in body):
                self.err(body.line, gate_id, "a gate needs exactly one of all_of or any_of")
            clauses = []
            if "all_of" in body:
                parts = self.items(body["all_of"], body.line_of("all_of"), gate_id, "all_of")
                for c_index, part in enumerate(parts):
                    line = parts.line_of(c_index)
                    if isinstance(part, LineDict) and "any_of" in part:
                        self.keys(part, {"any_of"}, (), gate_id)
                        options = self.items(part["any_of"], part.line_of("any_of"), gate_id,
                                             "any_of")
                        tests = [self.requirement(o, options.line_of(i), gate_id, targets)
                                 for i, o in enumerate(options)]
                        clauses.append(tuple(t for t in tests if t))
                    else:
                        test = self.requirement(part, line, gate_id, targets)
                        if test:
                            clauses.append((test,))
            elif "any_of" in body:
                options = self.items(body["any_of"], body.line_of("any_of"), gate_id, "any_of")
                tests = [self.requirement(o, options.line_of(i), gate_id, targets)
                         for i, o in enumerate(options)]
                clauses.append(tuple(t for t in tests if t))
            effect, grade = "flag", None
            on_fail = body.get("on_fail", "flag")
            if on_fail == "flag":
                pass
            elif isinstance(on_fail, LineDict) and len(on_fail) == 1:
                (effect, grade), = on_fail.items()
                if effect not in ("grade", "grade_at_most"):
                    self.err(body.line_of("on_fail"), gate_id,
                             f"on_fail must be flag, {{grade: ID}} or {{grade_at_most: ID}}, "
                             f"not {effect!r}")
                    effect, grade = "flag", None
                elif grade not in grades:
                    self.err(body.line_of("on_fail"), gate_id, f"undefined grade {grade!r}")
                    effect, grade = "flag", None
            else:
                self.err(body.line_of("on_fail"), gate_id,
                         "on_fail must be flag, {grade: ID} or {grade_at_most: ID}")
            gates.append(Gate(gate_id, body.line, self.label(body, gate_id),
                              self.roles_list(body, "applies_to", gate_id, roles),
                              tuple(clauses), effect, grade))
        return gates

    def requirement(self, data, line: int, gate_id: str, targets: set) -> Requirement | None:
        body = self.mapping(data, line, gate_id, "a requirement")
        if body is None:
            return None
        self.keys(body, {"id", "label", "where", "sum", "score", "at_least", "at_most"}, (),
                  gate_id)
        if "at_least" not in body and "at_most" not in body:
            self.err(body.line, gate_id, "a requirement needs at_least or at_most")
        if ("where" in body) == ("score" in body):
            self.err(body.line, gate_id, "a requirement needs exactly one of where or score")
            return None
        score = body.get("score")
        if score is not None and score not in targets:
            self.err(body.line_of("score"), gate_id,
                     f"requirement refers to undefined category {score!r}")
            return None
        if "sum" in body and "where" not in body:
            self.err(body.line_of("sum"), gate_id, "sum goes with where")
        at_least = self.number(body, "at_least", gate_id)
        at_most = self.number(body, "at_most", gate_id)
        if at_least is not None and at_most is not None and at_least > at_most:
            self.err(body.line_of("at_most"), gate_id, "at_most is below at_least")
        req_id = str(body.get("id", f"{gate_id}.{line}"))
        where = self.condition(body, "where", gate_id) if "where" in body else None
        if where is not None and isinstance(body.get("sum"), str):
            self.attribute(body["sum"], where.kinds, body.line_of("sum"), gate_id, "sum")
        return Requirement(req_id, self.label(body, gate_id), where, body.get("sum"), score,
                           at_least, at_most)

    def consequences(self, data: LineDict, grades: set, gates: set) -> list[Consequence]:
        result, seen = [], {}
        raw = self.items(data.get("consequences"), data.line_of("consequences"),
                         "consequences", "consequences")
        for index, item in enumerate(raw):
            body = self.mapping(item, raw.line_of(index), "consequences", "a consequence")
            if body is None:
                continue
            cid = self.ident(body, "consequences", seen, "consequence") or "?"
            self.keys(body, {"id", "label", "grade", "gate", "times", "over", "notes"},
                      ("id",), cid)
            if ("grade" in body) == ("gate" in body):
                self.err(body.line, cid, "a consequence needs exactly one of grade or gate")
            gate = body.get("gate")
            if gate is not None and gate not in gates:
                self.err(body.line_of("gate"), cid, f"undefined gate {gate!r}")
            if gate is not None and ("times" in body or "over" in body):
                self.err(body.line_of("gate"), cid, "a gate consequence is for this period "
                         "only (history holds grades); drop times and over")
            names = body.get("grade", [])
            names = names if isinstance(names, list) else [names]
            for name in names:
                if name not in grades:
                    self.err(body.line_of("grade"), cid, f"undefined grade {name!r}")
            times = body.get("times", 1)
            if not isinstance(times, int) or isinstance(times, bool) or times < 1:
                self.err(body.line_of("times"), cid, "times must be a whole number >= 1")
                times = 1
            over = body.get("over", "consecutive")
            if over not in CONSEQUENCE_SPANS:
                self.err(body.line_of("over"), cid,
                         f"over must be one of {', '.join(CONSEQUENCE_SPANS)}")
                over = "consecutive"
            result.append(Consequence(cid, tuple(str(n) for n in names), body.line,
                                      self.label(body, cid), times, over,
                                      None if gate is None else str(gate)))
        return result

    def ranking(self, data: LineDict) -> Ranking:
        if "ranking" not in data:
            return Ranking()
        body = self.mapping(data["ranking"], data.line_of("ranking"), "ranking", "ranking")
        if body is None:
            return Ranking()
        self.keys(body, {"enabled", "within"}, (), "ranking")
        enabled = body.get("enabled", False)
        within = body.get("within", "group")
        if not isinstance(enabled, bool):
            self.err(body.line_of("enabled"), "ranking", "enabled must be true or false")
            enabled = False
        if within not in RANKING_SCOPES:
            self.err(body.line_of("within"), "ranking",
                     f"within must be one of {', '.join(RANKING_SCOPES)}")
            within = "group"
        return Ranking(enabled, within)
