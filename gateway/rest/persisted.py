"""The persisted GraphQL operations the shim may run (an allow-list).

Every `.graphql` file under `operations/<api>/` holds exactly one named operation; its
registry name is `<api>/<OperationName>`. Nothing else can be run by the shim.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import OperationDefinitionNode, parse

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"


@dataclass(frozen=True)
class PersistedOperation:
    name: str  # "<api>/<OperationName>"
    api: str
    operation_name: str
    document: str
    path: Path


@cache
def persisted_operations() -> dict[str, PersistedOperation]:
    ops: dict[str, PersistedOperation] = {}
    for path in sorted(OPERATIONS_DIR.glob("*/*.graphql")):
        text = path.read_text()
        defs = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
        if len(defs) != 1 or defs[0].name is None:
            raise ValueError(f"{path}: a persisted file holds exactly one named operation")
        api = path.parent.name
        op_name = defs[0].name.value
        name = f"{api}/{op_name}"
        if name in ops:
            raise ValueError(f"duplicate persisted operation {name}")
        ops[name] = PersistedOperation(name, api, op_name, text, path)
    return ops


def get_operation(name: str) -> PersistedOperation:
    try:
        return persisted_operations()[name]
    except KeyError:
        raise KeyError(f"{name} is not a persisted operation") from None
