"""The executor's shortcut for lists of scalars and enums gives exactly graphql-core's
answers: values, nulls, and the located errors of items it cannot coerce."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import pytest
import strawberry

from resolvers.execution import TallyExecutionContext


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


async def _later(value):
    return value


@strawberry.type
class Query:
    @strawberry.field
    def floats(self) -> list[float | None]:
        return [1, 2.5, None, 4]

    @strawberry.field
    def stamps(self) -> list[datetime]:
        return [datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, 12, tzinfo=UTC)]

    @strawberry.field
    def colors(self) -> tuple[Color, ...]:  # type: ignore[valid-type]
        return (Color.BLUE, Color.RED)

    @strawberry.field
    def null_in_non_null(self) -> list[int]:
        return [1, None, 3]  # type: ignore[list-item]

    @strawberry.field
    def bad_item(self) -> list[int | None]:
        return [1, "nope", 3]  # type: ignore[list-item]

    @strawberry.field
    def awaitable_items(self) -> list[int]:
        return [_later(1), 2]  # type: ignore[list-item]

    @strawberry.field
    def nested(self) -> list[list[str]]:
        return [["a", "b"], ["c"]]


QUERY = "{ floats stamps colors nested awaitableItems }"
FAILING = ["{ nullInNonNull }", "{ badItem }"]


def _schemas():
    return strawberry.Schema(Query), strawberry.Schema(
        Query, execution_context_class=TallyExecutionContext
    )


async def test_the_same_values():
    plain, fast = _schemas()
    a, b = await plain.execute(QUERY), await fast.execute(QUERY)
    assert a.errors is None and b.errors is None
    assert b.data == a.data
    assert b.data["floats"] == [1.0, 2.5, None, 4.0]
    assert b.data["stamps"] == ["2026-03-01T00:00:00+00:00", "2026-03-02T12:00:00+00:00"]
    assert b.data["colors"] == ["BLUE", "RED"]


@pytest.mark.parametrize("query", FAILING)
async def test_the_same_errors(query):
    plain, fast = _schemas()
    a, b = await plain.execute(query), await fast.execute(query)
    assert b.data == a.data
    assert [e.formatted for e in b.errors] == [e.formatted for e in a.errors]
    assert b.errors[0].path[-1] == 1  # located at the item


# --- arguments converted once per request ---------------------------------------------------


@strawberry.input
class Window:
    days: int
    tags: list[str] | None = None


SEEN: list = []


@strawberry.type
class Item:
    n: int

    @strawberry.field
    def total(self, window: Window, colors: list[Color]) -> int:  # type: ignore[valid-type]
        SEEN.append((window, colors))
        colors.append(Color.RED)  # a resolver changing its list reaches no sibling
        return self.n * window.days


@strawberry.type
class ArgsQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(n=i) for i in range(1, 4)]


class _Ctx:
    def __init__(self) -> None:
        self.converted_arguments: dict = {}


async def test_equal_arguments_are_converted_once_per_request():
    from resolvers import arguments

    arguments.install()
    assert arguments.installed()
    SEEN.clear()
    schema = strawberry.Schema(ArgsQuery)
    query = "query($w: Window!) { items { total(window: $w, colors: [BLUE]) } }"
    ctx = _Ctx()
    result = await schema.execute(query, {"w": {"days": 7, "tags": ["a"]}}, context_value=ctx)
    assert result.errors is None
    assert result.data == {"items": [{"total": 7}, {"total": 14}, {"total": 21}]}
    windows = {id(w) for w, _ in SEEN}
    assert len(windows) == 1  # one conversion for the three items
    assert [c for _, c in SEEN] == [[Color.BLUE, Color.RED]] * 3  # each got its own list
    assert len(ctx.converted_arguments) == 1

    # another request (context) converts afresh; no Tally context: no memo at all
    SEEN.clear()
    await schema.execute(query, {"w": {"days": 1}}, context_value=_Ctx())
    await schema.execute(query, {"w": {"days": 1}}, context_value=None)
    assert len({id(w) for w, _ in SEEN}) == 1 + 3
