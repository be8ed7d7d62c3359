"""Document limits, measured once per parsed document in one pass linear in its size.

`measure(document)` walks every operation and fragment definition once. Fragments are
measured in dependency order and a spread adds the spread fragment's memoized measure,
so a fragment spread many times (the "fragment bomb") costs one addition per spread, not
a re-walk: totals are counted *after* fragment expansion (with multiplicities) without
enumerating the expansion, and saturate at `SATURATED`.

`check_document(shape, limits)` compares a measure with the limits; no operation name is
exempt. Everything here runs before graphql-core's own validation rules, several of which
(OverlappingFieldsCanBeMerged, …) are quadratic in the width of a selection set: the
width and total-field limits are what keep validation linear in practice. Object fields
that *share* a response path are worse: OverlappingFieldsCanBeMerged compares every pair
of them and recursively the fields below (100 × `viewer { roles user { username } }`, 3 KB
and within every other limit, took 1.7-2.1 s to validate on a loaded machine; so did 10
`viewer`s holding 10 `user`s each, 100 `user`s at one path; 10 take ~1 ms). The fields
are therefore merged here as graphql-core merges them (by response name, level by
level, through fragments), and how many object fields share one response path has its
own limit.

Parsing itself is bounded by graphql-core's `parse(..., max_tokens=...)`; its
recursion on absurd nesting is reported as `NESTING_LIMIT_EXCEEDED`, and the measure
bounds the nesting of selections and literal values.

Every violation is a `LimitExceeded` GraphQL error whose `extensions` carry the code
(`DEPTH_LIMIT_EXCEEDED`, …), the limit's value (`limit`) and what was found (`found`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
)

SATURATED = 2**53
"""Counts stop growing here (an exponential fragment expansion is reported as this)."""

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
INTROSPECTION_LISTS = frozenset({"fields", "interfaces", "possibleTypes", "inputFields"})
"""Introspection list fields whose nesting multiplies the answer (graphql-js's
MaxIntrospectionDepthRule counts the same four)."""


@dataclass(frozen=True)
class Limits:
    """Document and input limits (defaults documented in the README, "Limits and errors")."""

    max_depth: int = 12
    max_aliases: int = 50
    max_fields: int = 1_000
    max_selection_width: int = 100
    max_repeated_fields: int = 10
    max_directives: int = 50
    max_operations: int = 5
    max_tokens: int = 2_000
    max_nesting: int = 64
    max_fragment_depth: int = 16
    max_introspection_fields: int = 3
    max_introspection_depth: int = 2
    max_list_items: int = 100
    max_input_fields: int = 100
    max_string_length: int = 10_000
    max_variable_depth: int = 10
    max_variable_values: int = 5_000


class LimitExceeded(GraphQLError):
    """A document or input over one of the limits (always the caller's to fix)."""

    def __init__(self, code: str, message: str, *, limit: int, found: int | None = None):
        extensions: dict[str, Any] = {"code": code, "limit": limit}
        if found is not None:
            extensions["found"] = found
        super().__init__(message, extensions=extensions)


def _sat(value: int) -> int:
    return value if value < SATURATED else SATURATED


def _shown(value: int) -> str:
    return f"more than {SATURATED:,}" if value >= SATURATED else f"{value:,}"


# --- while parsing ----------------------------------------------------------------------------


def too_many_tokens(limits: Limits) -> LimitExceeded:
    """graphql-core's `parse(..., max_tokens=...)` stopped: say so with the code."""
    return LimitExceeded(
        "TOKEN_LIMIT_EXCEEDED",
        f"The document has more than {limits.max_tokens:,} tokens; the limit is "
        f"{limits.max_tokens:,}.",
        limit=limits.max_tokens,
    )


def too_deep(limits: Limits, found: int | None = None) -> LimitExceeded:
    return LimitExceeded(
        "NESTING_LIMIT_EXCEEDED",
        f"The document nests selections or values more than {limits.max_nesting} levels "
        f"deep; the limit is {limits.max_nesting}.",
        limit=limits.max_nesting,
        found=found,
    )


# --- the measure -----------------------------------------------------------------------------


@dataclass
class Measure:
    """What one definition (operation or fragment) amounts to after fragment expansion."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0
    directives: int = 0
    introspection: int = 0
    introspection_depth: int = 0
    width: int = 0
    top: int = 0
    merged: dict[str, list] = field(default_factory=dict)
    """The object fields (with a sub-selection) of the top selection set merged as
    graphql-core merges them: response name -> [how many fields, the merged fields
    below them]."""
    repeats: int = 0
    fragment_depth: int = 0
    nesting: int = 0
    list_items: int = 0
    input_fields: int = 0
    string_length: int = 0
    nul: bool = False

    def add_spread(self, other: Measure, depth: int, introspection_depth: int) -> None:
        self.depth = max(self.depth, depth + other.depth)
        self.introspection_depth = max(
            self.introspection_depth, introspection_depth + other.introspection_depth
        )
        self.aliases = _sat(self.aliases + other.aliases)
        self.fields = _sat(self.fields + other.fields)
        self.directives = _sat(self.directives + other.directives)
        self.introspection = _sat(self.introspection + other.introspection)
        self.width = max(self.width, other.width)
        self.nesting = max(self.nesting, depth + other.nesting)
        self.fragment_depth = max(self.fragment_depth, other.fragment_depth + 1)


@dataclass
class DocumentShape:
    """The measure of every definition of a document (computed once, then cached)."""

    operations: list[tuple[str, Measure]] = field(default_factory=list)
    fragments: dict[str, Measure] = field(default_factory=dict)


def _spreads(selection_set: SelectionSetNode | None) -> set[str]:
    names: set[str] = set()
    stack = [selection_set] if selection_set is not None else []
    while stack:
        for sel in stack.pop().selections:
            if isinstance(sel, FragmentSpreadNode):
                names.add(sel.name.value)
            elif sel.selection_set is not None:
                stack.append(sel.selection_set)
    return names


def _fragment_order(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragments so that each comes after every fragment it spreads (iterative DFS;
    a cycle is cut where it closes — NoFragmentCyclesRule reports it later)."""
    deps = {name: _spreads(f.selection_set) for name, f in fragments.items()}
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in fragments:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(deps[root])))]
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[name] = 2
                order.append(name)
            elif child in deps and child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(deps[child]))))
    return order


def _merge(into: dict[str, list], other: dict[str, list]) -> None:
    """Add the merged fields `other` to `into` (`other` is left as it is)."""
    stack = [(into, other)]
    while stack:
        dst, src = stack.pop()
        for key, (count, below) in src.items():
            entry = dst.get(key)
            if entry is None:
                entry = dst[key] = [count, {}]
            else:
                entry[0] = _sat(entry[0] + count)
            if below:
                stack.append((entry[1], below))


def _most_repeated(merged: dict[str, list]) -> int:
    """The most fields merged under one response path."""
    most = 0
    stack = [merged]
    while stack:
        for count, below in stack.pop().values():
            most = max(most, count)
            if below:
                stack.append(below)
    return most


class _Walker:
    def __init__(self, done: dict[str, Measure]) -> None:
        self.done = done

    def definition(self, selection_set: SelectionSetNode, introspection: bool) -> Measure:
        m = Measure()
        m.top = self.selections(selection_set, 0, introspection, 0, m, m.merged)
        m.repeats = _most_repeated(m.merged)
        return m

    def selections(
        self,
        selection_set: SelectionSetNode,
        depth: int,
        intro: bool,
        idepth: int,
        m: Measure,
        merged: dict[str, list],
    ) -> int:
        """Walk one selection set; returns its merged width (fields after spreads).
        Its object fields are merged into `merged` (an inline fragment's and a spread
        fragment's into the enclosing set's)."""
        width = 0
        m.nesting = max(m.nesting, depth + 1)
        for sel in selection_set.selections:
            if sel.directives:
                m.directives = _sat(m.directives + len(sel.directives))
                for directive in sel.directives:
                    for arg in directive.arguments or ():
                        self.value(arg.value, m)
            if isinstance(sel, FieldNode):
                name = sel.name.value
                width += 1
                m.fields = _sat(m.fields + 1)
                if sel.alias is not None:
                    m.aliases = _sat(m.aliases + 1)
                for arg in sel.arguments or ():
                    self.value(arg.value, m)
                inner = intro
                if name in INTROSPECTION_ROOTS:
                    m.introspection = _sat(m.introspection + 1)
                    inner = True
                # `ofType` is a 1:1 link through a type's wrappers, bounded by the schema
                level = depth if intro and name == "ofType" else depth + 1
                ilevel = idepth + 1 if inner and name in INTROSPECTION_LISTS else idepth
                m.depth = max(m.depth, level)
                m.introspection_depth = max(m.introspection_depth, ilevel)
                if sel.selection_set is not None:
                    below: dict[str, list] = {}
                    self.selections(sel.selection_set, level, inner, ilevel, m, below)
                    key = sel.alias.value if sel.alias is not None else name
                    entry = merged.get(key)
                    if entry is None:
                        merged[key] = [1, below]
                    else:
                        entry[0] = _sat(entry[0] + 1)
                        _merge(entry[1], below)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                inner = intro or (cond is not None and cond.name.value.startswith("__"))
                width += self.selections(sel.selection_set, depth, inner, idepth, m, merged)
            elif isinstance(sel, FragmentSpreadNode):
                spread = self.done.get(sel.name.value)
                if spread is not None:
                    m.add_spread(spread, depth, idepth)
                    width += spread.top
                    _merge(merged, spread.merged)
        width = _sat(width)
        m.width = max(m.width, width)
        return width

    def value(self, node: ValueNode, m: Measure, level: int = 1) -> None:
        """Literal arguments: longest list, largest object, longest string, NUL
        characters, nesting."""
        m.nesting = max(m.nesting, level)
        if isinstance(node, StringValueNode):
            m.string_length = max(m.string_length, len(node.value))
            if "\x00" in node.value:
                m.nul = True
        elif isinstance(node, ListValueNode):
            m.list_items = max(m.list_items, len(node.values))
            for item in node.values:
                self.value(item, m, level + 1)
        elif isinstance(node, ObjectValueNode):
            m.input_fields = max(m.input_fields, len(node.fields))
            for f in node.fields:
                self.value(f.value, m, level + 1)


def measure(document: DocumentNode) -> DocumentShape:
    """One pass over `document`: the measure of every operation and fragment."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    shape = DocumentShape()
    walker = _Walker(shape.fragments)
    for name in _fragment_order(fragments):
        f = fragments[name]
        intro = f.type_condition.name.value.startswith("__")
        shape.fragments[name] = walker.definition(f.selection_set, intro)
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode):
            m = walker.definition(d.selection_set, False)
            for var in d.variable_definitions or ():
                if var.default_value is not None:
                    walker.value(var.default_value, m)
            m.directives = _sat(m.directives + len(d.directives or ()))
            shape.operations.append((d.name.value if d.name else "(anonymous)", m))
    return shape


# --- the check --------------------------------------------------------------------------------


def _over(
    what: str, m: Measure, limits: Limits, introspection_allowed: bool
) -> Iterable[LimitExceeded]:
    checks = (
        ("NESTING_LIMIT_EXCEEDED", m.nesting, limits.max_nesting, "levels of nesting"),
        ("DEPTH_LIMIT_EXCEEDED", m.depth, limits.max_depth, "levels deep"),
        ("ALIAS_LIMIT_EXCEEDED", m.aliases, limits.max_aliases, "aliases"),
        ("FIELD_LIMIT_EXCEEDED", m.fields, limits.max_fields, "fields after fragment expansion"),
        (
            "SELECTION_LIMIT_EXCEEDED",
            m.width,
            limits.max_selection_width,
            "fields in one selection set",
        ),
        (
            "REPEATED_FIELD_LIMIT_EXCEEDED",
            m.repeats,
            limits.max_repeated_fields,
            "object fields merged under one response path",
        ),
        ("DIRECTIVE_LIMIT_EXCEEDED", m.directives, limits.max_directives, "directives"),
        (
            "FRAGMENT_DEPTH_LIMIT_EXCEEDED",
            m.fragment_depth,
            limits.max_fragment_depth,
            "levels of nested fragment spreads",
        ),
        (
            "INTROSPECTION_LIMIT_EXCEEDED",
            m.introspection,
            limits.max_introspection_fields,
            "introspection fields (__schema / __type)",
        ),
        (
            "INTROSPECTION_DEPTH_EXCEEDED",
            m.introspection_depth,
            limits.max_introspection_depth,
            "nested introspection lists (fields / interfaces / possibleTypes / inputFields)",
        ),
        ("LIST_LIMIT_EXCEEDED", m.list_items, limits.max_list_items, "items in one list"),
        (
            "INPUT_OBJECT_LIMIT_EXCEEDED",
            m.input_fields,
            limits.max_input_fields,
            "fields in one input object",
        ),
        (
            "STRING_LIMIT_EXCEEDED",
            m.string_length,
            limits.max_string_length,
            "characters in one string",
        ),
    )
    for code, found, limit, noun in checks:
        if found > limit:
            yield LimitExceeded(
                code,
                f"{what} has {_shown(found)} {noun}; the limit is {limit:,}.",
                limit=limit,
                found=found,
            )
    if m.introspection and not introspection_allowed:
        yield LimitExceeded(
            "INTROSPECTION_DISABLED",
            f"{what} uses introspection, which is only available to authenticated callers "
            "here: send a token.",
            limit=0,
            found=m.introspection,
        )
    if m.nul:
        yield LimitExceeded(
            "INVALID_INPUT",
            f"{what} has a string argument with a NUL character (\\u0000), which no input accepts.",
            limit=0,
        )


def check_document(
    shape: DocumentShape, limits: Limits, *, introspection_allowed: bool = True
) -> list[LimitExceeded]:
    """Every limit `shape` exceeds (empty when within all of them)."""
    errors: list[LimitExceeded] = []
    if len(shape.operations) > limits.max_operations:
        errors.append(
            LimitExceeded(
                "OPERATION_LIMIT_EXCEEDED",
                f"The document holds {len(shape.operations)} operations; the limit is "
                f"{limits.max_operations}.",
                limit=limits.max_operations,
                found=len(shape.operations),
            )
        )
    for name, m in shape.operations:
        errors.extend(_over(f"Operation '{name}'", m, limits, introspection_allowed))
    for name, m in shape.fragments.items():
        # a fragment that no operation spreads is still validated by graphql-core
        errors.extend(_over(f"Fragment '{name}'", m, limits, True))
    first: dict[str, LimitExceeded] = {}
    for e in errors:  # one error per limit: a bomb spreads over many fragments
        first.setdefault(e.extensions["code"], e)
    return list(first.values())


# --- raw variables (before graphql-core coerces them) -------------------------------------------


def check_variables(variables: Any, limits: Limits) -> list[LimitExceeded]:
    """Bound the request's raw `variables` JSON before coercion: nesting depth, number of
    values, list lengths, string lengths, NUL characters. Stops at the first violation,
    so a 1M-element list costs `max_list_items` steps, not a coercion of every item."""
    if not variables:
        return []
    if not isinstance(variables, dict):
        return [LimitExceeded("INVALID_INPUT", "`variables` must be a JSON object.", limit=0)]
    too_many = LimitExceeded(
        "VARIABLES_LIMIT_EXCEEDED",
        f"The variables hold more than {limits.max_variable_values:,} values; the limit is "
        f"{limits.max_variable_values:,}.",
        limit=limits.max_variable_values,
    )
    if len(variables) > limits.max_variable_values:
        return [too_many]
    seen = 0
    stack: list[tuple[str, Any, int]] = [(f"${k}", v, 1) for k, v in variables.items()]
    while stack:
        path, value, depth = stack.pop()
        seen += 1
        if seen > limits.max_variable_values:
            return [too_many]
        if depth > limits.max_variable_depth:
            return [
                LimitExceeded(
                    "VARIABLES_DEPTH_EXCEEDED",
                    f"Variable {path} nests more than {limits.max_variable_depth} levels; "
                    f"the limit is {limits.max_variable_depth}.",
                    limit=limits.max_variable_depth,
                )
            ]
        if isinstance(value, str):
            if len(value) > limits.max_string_length:
                return [
                    LimitExceeded(
                        "STRING_LIMIT_EXCEEDED",
                        f"Variable {path} is a string of {len(value):,} characters; the "
                        f"limit is {limits.max_string_length:,}.",
                        limit=limits.max_string_length,
                        found=len(value),
                    )
                ]
            if "\x00" in value:
                return [
                    LimitExceeded(
                        "INVALID_INPUT",
                        f"Variable {path} contains a NUL character (\\u0000), which no input "
                        "accepts.",
                        limit=0,
                    )
                ]
        elif isinstance(value, list):
            if len(value) > limits.max_list_items:
                return [
                    LimitExceeded(
                        "LIST_LIMIT_EXCEEDED",
                        f"Variable {path} is a list of {len(value):,} items; the limit is "
                        f"{limits.max_list_items:,}.",
                        limit=limits.max_list_items,
                        found=len(value),
                    )
                ]
            stack.extend((f"{path}[{i}]", v, depth + 1) for i, v in enumerate(value))
        elif isinstance(value, dict):
            if len(value) > limits.max_input_fields:
                return [
                    LimitExceeded(
                        "INPUT_OBJECT_LIMIT_EXCEEDED",
                        f"Variable {path} is an object of {len(value):,} fields; the limit "
                        f"is {limits.max_input_fields:,}.",
                        limit=limits.max_input_fields,
                        found=len(value),
                    )
                ]
            stack.extend((f"{path}.{k}", v, depth + 1) for k, v in value.items())
    return []
