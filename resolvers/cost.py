"""The estimated cost of an operation, computed from the document and the raw variables
before execution, and the per-principal budget it is compared with.

Cost units (one unit ≈ one resolved field or one metric value; the README's "Limits and
errors" section has the same table):

* every field costs 1 per instance (`__typename` is free; `__schema` / `__type` cost 1
  each — their size is bounded by the introspection limits instead);
* a list multiplies what is selected below it by its size: `first` (default 20) on a
  connection, `limit` (its schema default otherwise), the number of `ids`; the `edges` /
  `nodes` of such a sized field count once; any other list counts as 10 items;
* metric values: `metrics(names:)` costs the number of names, `change` 2, and a field
  with a `granularity` argument (`series`, overview series) costs its bucket count: the
  period's days (LAST_24H 1, TODAY 1, LAST_7D 7, LAST_30D 30, LAST_90D 90, YTD 366,
  ALL 3,660, start..end as given, 30 when omitted) × 24 per day for HOUR, ÷ 7 for WEEK,
  ÷ 28 for MONTH, at most 5,000.

So `nodes(ids: [100 ids]) { ... on Publication { s1: series(...) … s45: series(...) } }`
over 30 days costs 1 + 100 × 45 × (30 + children) — far over any default budget.

Fragments are costed once per request (memoized by name), so the estimate is linear in
the document. Counts saturate at `SATURATED`.

The *actual* cost, measured during execution and reported beside the estimate in
`extensions.cost` of every response, has the same two parts, counted on what was
produced rather than on what the document asks for:

* `fields`: the fields of the response's `data`, per instance — every key of every
  object (`__typename` free), a list of objects counting each of its items, a list of
  scalars (`values`, `buckets`) one field (`resolved_fields`);
* `metricValues`: the metric values the metric loaders computed
  (`gateway.metrics.loader.MetricMeter`): a total 1, a change 2, a series one per bucket,
  for every group and metric of each batched statement. Two fields asking for the same
  value share one computation, so it counts once.

`actual = fields + metricValues`. For example three publications, each with a daily
VIEWS and a daily LIKES series over LAST_7D (`{ values }` selected), actually cost
3 × 2 × 7 = 42 metric values + 14 fields (`publications`, `nodes`, and 4 per node) = 56.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    get_named_type,
    value_from_ast_untyped,
)

from resolvers.limits import SATURATED

DEFAULT_FIRST = 20
DEFAULT_LIST_SIZE = 10
DEFAULT_PERIOD_DAYS = 30
PRESET_DAYS = {
    "LAST_24H": 1,
    "TODAY": 1,
    "LAST_7D": 7,
    "LAST_30D": 30,
    "LAST_90D": 90,
    "YTD": 366,
    "ALL": 3_660,
}
MAX_DAYS = 3_660
MAX_BUCKETS = 5_000


INT_MAX = 2**31 - 1  # GraphQL Int: larger values are refused by coercion, not costed


def _size(value: Any, default: int) -> int:
    return value if isinstance(value, int) and 0 <= value <= INT_MAX else default


def _sat(value: int) -> int:
    return value if value < SATURATED else SATURATED


def period_days(period: Any) -> int:
    """Days a raw PeriodInput value covers (bad values are left to the resolvers: 30)."""
    if not isinstance(period, dict):
        return DEFAULT_PERIOD_DAYS
    preset = period.get("preset")
    if isinstance(preset, str) and preset in PRESET_DAYS:
        return PRESET_DAYS[preset]
    start, end = period.get("start"), period.get("end")
    if isinstance(start, str) and isinstance(end, str):
        try:
            days = (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days + 1
        except ValueError:
            return DEFAULT_PERIOD_DAYS
        return min(max(days, 1), MAX_DAYS)
    return DEFAULT_PERIOD_DAYS


def bucket_count(period: Any, granularity: Any) -> int:
    days = period_days(period)
    g = granularity if isinstance(granularity, str) else "DAY"
    if g == "HOUR":
        n = days * 24
    elif g == "WEEK":
        n = days // 7 + 2
    elif g == "MONTH":
        n = days // 28 + 2
    else:
        n = days
    return min(max(n, 1), MAX_BUCKETS)


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in ops if o.name and o.name.value == operation_name), None)
    return ops[0] if len(ops) == 1 else None


class _Estimator:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.memo: dict[str, int] = {}

    def selections(self, selection_set: SelectionSetNode, parent: Any, sized: bool) -> int:
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, sized)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                t = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selections(sel.selection_set, t or parent, sized)
            elif isinstance(sel, FragmentSpreadNode):
                total += self.fragment(sel.name.value, sized)
        return _sat(total)

    def fragment(self, name: str, sized: bool) -> int:
        key = f"{name}:{sized}"
        if key not in self.memo:
            self.memo[key] = 0  # a cycle (rejected by validation) costs nothing
            f = self.fragments.get(name)
            if f is not None:
                t = self.schema.get_type(f.type_condition.name.value)
                self.memo[key] = self.selections(f.selection_set, t, sized)
        return self.memo[key]

    def _field_def(self, parent: Any, name: str) -> GraphQLField | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return parent.fields.get(name)
        return None

    def _args(self, node: FieldNode, fdef: GraphQLField) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, arg in fdef.args.items():
            if arg.default_value is not Undefined:
                args[name] = arg.default_value
        for arg in node.arguments or ():
            args[arg.name.value] = value_from_ast_untyped(arg.value, self.variables)
        return args

    def field(self, node: FieldNode, parent: Any, sized: bool) -> int:
        name = node.name.value
        if name == "__typename":
            return 0
        if name in ("__schema", "__type"):
            return 1  # bounded by the introspection limits, not by the budget
        fdef = self._field_def(parent, name)
        if fdef is None:
            return 1
        args = self._args(node, fdef)
        weight = 1
        size = 1
        child_sized = False
        if "granularity" in fdef.args:
            weight = bucket_count(args.get("period"), args.get("granularity"))
        elif name == "metrics" and isinstance(args.get("names"), list):
            weight = max(1, len(args["names"]))
        elif name == "change":
            weight = 2
        elif "first" in fdef.args:
            size = _size(args.get("first"), DEFAULT_FIRST)
            child_sized = True
        elif "limit" in fdef.args:
            size = _size(args.get("limit"), DEFAULT_LIST_SIZE)
            child_sized = True
        elif isinstance(args.get("ids"), list):
            size = len(args["ids"])
        else:
            t = fdef.type.of_type if isinstance(fdef.type, GraphQLNonNull) else fdef.type
            if isinstance(t, GraphQLList) and not sized:
                size = DEFAULT_LIST_SIZE
        if node.selection_set is None:
            return weight
        children = self.selections(node.selection_set, get_named_type(fdef.type), child_sized)
        return _sat(weight + size * children)


def resolved_fields(data: Any) -> int:
    """The fields of a response's `data`, per instance (see the module docstring)."""
    total = 0
    stack = [data] if isinstance(data, dict | list) else []
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "__typename":
                    total += 1
                if isinstance(item, dict | list) and item:
                    stack.append(item)
        else:  # a list: objects (or lists) are walked, scalars are already counted
            first = next((item for item in value if item is not None), None)
            if isinstance(first, dict | list):
                stack.extend(item for item in value if item)
    return total


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """The estimated cost of the operation that would run (0 when none can be chosen —
    graphql-core then reports why)."""
    op = select_operation(document, operation_name)
    if op is None:
        return 0
    values: dict[str, Any] = {}
    for var in op.variable_definitions or ():
        if var.default_value is not None:
            values[var.variable.name.value] = value_from_ast_untyped(var.default_value)
    values.update(variables or {})
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[op.operation]
    return _Estimator(schema, document, values).selections(op.selection_set, root, False)
