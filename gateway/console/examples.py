"""The example GraphQL operations the console opens as GraphiQL tabs (one per domain),
read from `examples/*.graphql`. A file may name the demo principal whose token its tab
gets in demo mode with a `# demo-principal: <name>` line (default: the org admin)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EXAMPLES_DIR = Path(__file__).parent / "examples"
DEFAULT_PRINCIPAL = "org_admin"
_PRINCIPAL = re.compile(r"^# demo-principal: (\w+)\s*$", re.M)
_OPERATION = re.compile(r"^(?:query|mutation)\s+(\w+)", re.M)


@dataclass(frozen=True)
class Example:
    name: str
    """The operation name (also the tab's title)."""
    query: str
    demo_principal: str


@cache
def examples() -> tuple[Example, ...]:
    """Every example, the default dashboard query first (files are sorted by name)."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.graphql")):
        text = path.read_text()
        principal = _PRINCIPAL.search(text)
        operation = _OPERATION.search(text)
        if operation is None:
            raise ValueError(f"{path.name}: no named operation")
        out.append(
            Example(
                name=operation.group(1),
                query=_PRINCIPAL.sub("", text).lstrip("\n"),
                demo_principal=principal.group(1) if principal else DEFAULT_PRINCIPAL,
            )
        )
    return tuple(out)


def default_query() -> str:
    return examples()[0].query
