"""Field arguments converted once per request and value.

strawberry turns the raw arguments of every resolved field into Python values (input
objects, enums, lists) — for `nodes { metrics(names: [...], period: $period) }` that is
the same conversion for each of the 50 nodes, and it was the largest cost of a
dashboard request after the SQL. `install()` wraps strawberry's `convert_arguments` so
that, within one request (the context's `converted_arguments` memo), a field's
arguments with equal raw values are converted once: the same Python values are handed
to each resolver, lists shallow-copied so that a resolver changing one cannot reach its
siblings. A raw value that cannot be keyed (not hashable) is converted as before, and
without a Tally context (other schemas, tests) nothing changes.
"""

from __future__ import annotations

from typing import Any

import strawberry.schema.schema_converter as _converter

_original = _converter.convert_arguments


def _freeze(value: Any) -> Any:
    """A hashable key equal only for raw values strawberry converts alike."""
    if isinstance(value, dict):
        return (dict, tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (list, tuple(_freeze(v) for v in value))
    hash(value)  # TypeError: not keyable
    return (type(value), value)


def convert_arguments(value: dict[str, Any], arguments: list, *args: Any, **kwargs: Any):
    info = kwargs.get("info", args[2] if len(args) > 2 else None)
    memo = getattr(getattr(info, "context", None), "converted_arguments", None)
    if memo is None or not value:
        return _original(value, arguments, *args, **kwargs)
    try:
        key = (id(arguments), _freeze(value))
    except TypeError:
        return _original(value, arguments, *args, **kwargs)
    found = memo.get(key)
    if found is None:
        found = memo[key] = (arguments, _original(value, arguments, *args, **kwargs))
    return {k: list(v) if isinstance(v, list) else v for k, v in found[1].items()}


def install() -> None:
    """Route strawberry's argument conversion through the memo (idempotent)."""
    _converter.convert_arguments = convert_arguments


def installed() -> bool:
    return _converter.convert_arguments is convert_arguments


__all__ = ["convert_arguments", "install", "installed"]
