"""Look-ahead: the arguments a field's sub-fields will be resolved with, read while the
field itself resolves.

A lookup (a workspace by uuid, a page of publications) must finish before its sub-fields
resolve, so their reads would be a second statement. A resolver that knows what its
sub-fields will read asks for it with its lookup (one statement) and primes the loaders
they use; `selected_arguments` tells it which of them the operation selects and with
which arguments, converted exactly as strawberry converts them for their resolvers.
Selections under `@skip` / `@include` count as selected (reading ahead what is then not
asked for wastes a read, never changes an answer).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution import get_argument_values
from strawberry.types import Info
from strawberry.types.arguments import convert_arguments

try:  # graphql-core >= 3.3 takes the coerced variables in a container
    from graphql.execution import VariableValues
except ImportError:  # pragma: no cover - graphql-core 3.2 takes the plain dict
    VariableValues = None

DEFINITION = "strawberry-definition"


def _variables(info: Info) -> Any:
    """The operation's coerced variables as `get_argument_values` takes them (strawberry
    hands resolvers the plain dict)."""
    values = info._raw_info.variable_values
    if VariableValues is None or isinstance(values, VariableValues):
        return values
    return VariableValues({}, dict(values))


def _fields(info: Info, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(info, node.selection_set)
        elif isinstance(node, FragmentSpreadNode):
            fragment = info._raw_info.fragments.get(node.name.value)
            if fragment is not None:
                yield from _fields(info, fragment.selection_set)


def selected_arguments(info: Info, name: str, path: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The converted arguments (python names, as the resolver receives them) of every
    selection of field `name` below the field being resolved, reached through `path`
    (e.g. `("nodes",)` for a connection's nodes). Fields behind an abstract type, or
    arguments that do not convert, are left out (their own resolvers will report them)."""
    raw = info._raw_info
    nodes = list(raw.field_nodes)
    parent = get_named_type(raw.return_type)
    for step in path:
        if not isinstance(parent, GraphQLObjectType) or step not in parent.fields:
            return []
        nodes = [f for n in nodes for f in _fields(info, n.selection_set) if f.name.value == step]
        parent = get_named_type(parent.fields[step].type)
    if not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
        return []
    field_def = parent.fields[name]
    definition = field_def.extensions.get(DEFINITION)
    schema = info.schema
    variables = _variables(info)
    out = []
    for n in nodes:
        for f in _fields(info, n.selection_set):
            if f.name.value != name:
                continue
            try:
                coerced = get_argument_values(field_def, f, variables)
                out.append(
                    convert_arguments(
                        coerced,
                        definition.arguments,
                        scalar_registry=schema.schema_converter.scalar_registry,
                        config=schema.config,
                    )
                )
            except Exception:  # noqa: BLE001 - the field's own resolution reports it
                continue
    return out
