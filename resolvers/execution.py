"""graphql-core's executor with one shortcut: a list of scalars or enums (a series'
`buckets` and `values`, role lists) is coerced item by item in one loop, instead of
completing every item as a field of its own (a path entry, a completion call and a
type dispatch per item). A dashboard answer is mostly such lists: 50 series of 30 days
are 3,000 items.

Anything the shortcut does not handle exactly as graphql-core would — an awaitable item,
a null in a non-null list, a value its type cannot coerce, an iterable that is not a
list or tuple, `@stream` — goes through graphql-core's own path, which produces the
same value or the same located error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLScalarType, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def leaf_list(item_type: Any, items: list | tuple, is_awaitable: Callable[[Any], bool]):
    """`items` coerced by their leaf type, or None when graphql-core must do it."""
    non_null = isinstance(item_type, GraphQLNonNull)
    leaf = item_type.of_type if non_null else item_type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    coerce = leaf.coerce_output_value
    out: list[Any] = []
    append = out.append
    try:
        for item in items:
            if item is None:
                if non_null:
                    return None
                append(None)
                continue
            if is_awaitable(item):
                return None
            value = coerce(item)
            if value is None or value is Undefined:
                return None
            append(value)
    except Exception:  # graphql-core reports it, with the item's path
        return None
    return out


class TallyExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        items: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(items, list | tuple):
            done = leaf_list(item_type, items, self.is_awaitable)
            if done is not None and self.get_stream_usage(field_details_list, path) is None:
                return done
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )


__all__ = ["TallyExecutionContext", "leaf_list"]
