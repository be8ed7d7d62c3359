"""Limits applied before execution, as validation rules created once (so strawberry's
ValidationCache can reuse results; its QueryDepthLimiter builds a new rule per request
and defeats that cache)."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)


def _walk(node, fragments, depth: int, seen: frozenset[str]) -> tuple[int, int]:
    """(max depth, alias count) below a selection set."""
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return depth, 0
    deepest, aliases = depth, 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.alias is not None:
                aliases += 1
            d, a = _walk(sel, fragments, depth + 1, seen)
        elif isinstance(sel, InlineFragmentNode):
            d, a = _walk(sel, fragments, depth, seen)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in seen or name not in fragments:
                continue
            d, a = _walk(fragments[name], fragments, depth, seen | {name})
        else:
            continue
        deepest, aliases = max(deepest, d), aliases + a
    return deepest, aliases


def make_limits_rule(max_depth: int, max_aliases: int, max_operations: int = 5) -> type:
    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            doc = context.document
            fragments = {
                d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
            }
            operations = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > max_operations:
                context.report_error(
                    GraphQLError(
                        f"A document may hold at most {max_operations} operations, "
                        f"got {len(operations)}."
                    )
                )
            for op in operations:
                if op.name and op.name.value == "IntrospectionQuery":
                    continue
                depth, aliases = _walk(op, fragments, 0, frozenset())
                name = op.name.value if op.name else "anonymous"
                if depth > max_depth:
                    context.report_error(
                        GraphQLError(
                            f"Operation '{name}' is {depth} levels deep; the limit is {max_depth}."
                        )
                    )
                if aliases > max_aliases:
                    context.report_error(
                        GraphQLError(
                            f"Operation '{name}' uses {aliases} aliases; the limit is "
                            f"{max_aliases}."
                        )
                    )

    return QueryLimitsRule
