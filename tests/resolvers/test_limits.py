"""Document limits measured in one pass (resolvers.limits), with hand-counted figures."""

from __future__ import annotations

import pytest
from graphql import parse

from resolvers.limits import (
    SATURATED,
    LimitExceeded,
    Limits,
    check_document,
    check_variables,
    measure,
)

LIMITS = Limits()


def op(query: str):
    return measure(parse(query)).operations[0][1]


def codes(query: str, limits: Limits = LIMITS, **kw) -> list[str]:
    return [e.extensions["code"] for e in check_document(measure(parse(query)), limits, **kw)]


def bomb(levels: int, fan: int = 2) -> str:
    spreads = lambda i: " ".join(f"...F{i + 1}" for _ in range(fan))  # noqa: E731
    frags = " ".join(f"fragment F{i} on Query {{ {spreads(i)} }}" for i in range(levels))
    return f"query {{ ...F0 }} {frags} fragment F{levels} on Query {{ __typename }}"


def test_counts_of_a_plain_operation():
    m = op("query Q { a: viewer { roles user { username } } b: viewer { roles } }")
    # a, roles, user, username, b, roles
    assert (m.fields, m.aliases, m.depth, m.width) == (6, 2, 3, 2)


def test_fragments_count_once_per_spread_without_rewalking():
    m = op("query { ...V ...V ...V } fragment V on Query { viewer { roles } }")
    assert (m.fields, m.depth, m.width, m.top) == (6, 2, 3, 3)
    # the bomb: 22 fragments, each spreading the next twice -> 2**22 leaves
    m = op(bomb(22))
    assert m.fields == 2**22 and m.width == 2**22 and m.fragment_depth == 23


def test_exponential_expansion_saturates():
    m = op(bomb(200))
    assert m.fields == SATURATED
    errors = check_document(measure(parse(bomb(200))), LIMITS)
    assert "more than 9,007,199,254,740,992 fields" in errors[0].message


def test_four_way_fan_out_is_measured_not_enumerated():
    assert op(bomb(12, fan=4)).fields == 4**12


def test_inline_fragments_and_aliases_inside_fragments_count():
    q = "query { ... on Query { ...A } } fragment A on Query { x: viewer { r1: roles r2: roles } }"
    m = op(q)
    assert (m.aliases, m.fields, m.depth) == (3, 3, 2)


def test_no_operation_name_is_exempt():
    q = "query IntrospectionQuery { " + " ".join(f"a{i}: __typename" for i in range(60)) + " }"
    assert "ALIAS_LIMIT_EXCEEDED" in codes(q)


def test_each_limit_has_its_code_and_value():
    small = Limits(
        max_depth=2,
        max_aliases=1,
        max_fields=5,
        max_selection_width=3,
        max_directives=1,
        max_operations=1,
        max_introspection_fields=1,
        max_list_items=2,
        max_string_length=3,
    )
    assert codes("{ viewer { user { username } } }", small) == ["DEPTH_LIMIT_EXCEEDED"]
    assert codes("{ a: __typename b: __typename }", small) == ["ALIAS_LIMIT_EXCEEDED"]
    assert codes(
        "{ viewer { roles } ...F ...F ...F } fragment F on Query { __typename }", small
    ) == ["SELECTION_LIMIT_EXCEEDED"]
    assert codes("{ __typename @skip(if: false) @include(if: true) }", small) == [
        "DIRECTIVE_LIMIT_EXCEEDED"
    ]
    assert codes("query A { __typename } query B { __typename }", small) == [
        "OPERATION_LIMIT_EXCEEDED"
    ]
    assert codes('{ __schema { description } __type(name: "A") { name } }', small) == [
        "INTROSPECTION_LIMIT_EXCEEDED"
    ]
    assert codes('{ nodes(ids: ["a", "b", "c"]) { id } }', small) == ["LIST_LIMIT_EXCEEDED"]
    assert codes('{ publication(customUrl: "abcd") { id } }', small) == ["STRING_LIMIT_EXCEEDED"]
    error = check_document(measure(parse("{ viewer { user { username } } }")), small)[0]
    assert error.extensions == {"code": "DEPTH_LIMIT_EXCEEDED", "limit": 2, "found": 3}
    assert error.message == "Operation '(anonymous)' has 3 levels deep; the limit is 2."


def test_total_fields_and_fragment_nesting():
    wide = "{ " + " ".join(f"f{i}: viewer {{ roles }}" for i in range(60)) + " }"
    assert codes(wide, Limits(max_aliases=100, max_fields=100)) == ["FIELD_LIMIT_EXCEEDED"]
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(20))
    q = f"{{ ...F0 }} {chain} fragment F20 on Query {{ __typename }}"
    assert codes(q) == ["FRAGMENT_DEPTH_LIMIT_EXCEEDED"]


def test_introspection_depth_and_oftype():
    from graphql import get_introspection_query

    standard = get_introspection_query(descriptions=True, input_value_deprecation=True)
    m = op(standard)
    assert m.introspection == 1 and m.depth <= LIMITS.max_depth  # ofType chains are free
    assert codes(standard) == []
    deep = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert codes(deep) == ["INTROSPECTION_DEPTH_EXCEEDED"]
    assert codes(standard, introspection_allowed=False) == ["INTROSPECTION_DISABLED"]


def test_input_object_literals_are_bounded():
    fields = ", ".join(f"k{i}: {i}" for i in range(101))
    assert codes(f"{{ publications(filter: {{{fields}}}) {{ totalCount }} }}") == [
        "INPUT_OBJECT_LIMIT_EXCEEDED"
    ]


def test_nul_in_a_literal_is_invalid_input():
    assert codes('{ publication(customUrl: "a\\u0000b") { id } }') == ["INVALID_INPUT"]


def test_unused_fragments_are_limited_too():
    q = "{ __typename } fragment Wide on Query { " + "__typename " * 150 + "}"
    assert codes(q) == ["SELECTION_LIMIT_EXCEEDED"]


def test_tokens_and_nesting_are_coded_parse_limits():
    from resolvers.guard import _prepare

    def code(query: str) -> dict:
        with pytest.raises(LimitExceeded) as exc:
            _prepare(query, LIMITS.max_tokens, LIMITS.max_nesting)
        return exc.value.extensions

    assert code("{ " + "a " * 6000 + "}") == {"code": "TOKEN_LIMIT_EXCEEDED", "limit": 2000}
    # beyond what graphql-core's recursive parser can take
    assert code("{" + "a {" * 900 + "}" * 901)["code"] == "NESTING_LIMIT_EXCEEDED"
    # within the parser's reach, the measure reports the nesting
    assert codes("{" + "a {" * 80 + "b" + "}" * 81)[0] == "NESTING_LIMIT_EXCEEDED"
    value = "[" * 70 + "1" + "]" * 70
    assert codes(f"{{ nodes(ids: {value}) {{ id }} }}") == ["NESTING_LIMIT_EXCEEDED"]
    document, shape = _prepare("{ viewer { roles } }", 2000, 64)
    assert shape.operations[0][1].fields == 2


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"ids": list(range(1_000_000))}, "LIST_LIMIT_EXCEEDED"),
        ({"s": "x" * 10_001}, "STRING_LIMIT_EXCEEDED"),
        ({"s": "a\x00b"}, "INVALID_INPUT"),
        ({"deep": [[[[[[[[[[[1]]]]]]]]]]]}, "VARIABLES_DEPTH_EXCEEDED"),
        ({f"k{i}": i for i in range(6_000)}, "VARIABLES_LIMIT_EXCEEDED"),
        ({"p": [{f"k{i}": i for i in range(50)} for _ in range(100)]}, "VARIABLES_LIMIT_EXCEEDED"),
        ({"p": {f"k{i}": i for i in range(101)}}, "INPUT_OBJECT_LIMIT_EXCEEDED"),
        ([1, 2], "INVALID_INPUT"),
    ],
)
def test_raw_variables_are_bounded_before_coercion(variables, code):
    errors = check_variables(variables, LIMITS)
    assert [e.extensions["code"] for e in errors] == [code]


def test_ordinary_variables_pass():
    assert check_variables({"period": {"preset": "LAST_7D"}, "ids": ["a"] * 100}, LIMITS) == []
    assert check_variables(None, LIMITS) == []


def test_object_fields_sharing_a_response_path_are_merged_and_counted():
    # the same object field 10 times at the top: 10 at path `viewer`
    ten = "{ " + "viewer { roles } " * 10 + "}"
    assert op(ten).repeats == 10 and codes(ten) == []
    eleven = "{ " + "viewer { roles } " * 11 + "}"
    assert codes(eleven) == ["REPEATED_FIELD_LIMIT_EXCEEDED"]
    e = check_document(measure(parse(eleven)), LIMITS)[0]
    assert e.extensions == {"code": "REPEATED_FIELD_LIMIT_EXCEEDED", "limit": 10, "found": 11}
    assert "11 object fields merged under one response path; the limit is 10" in e.message
    # 5 `viewer`s with 3 `user`s each merge into 15 `user`s at path viewer.user
    nested = "{ " + ("viewer { " + "user { username } " * 3 + "} ") * 5 + "}"
    assert op(nested).repeats == 15
    # through fragments and inline fragments: A's 2 + B's 1 + B's inline 1 = 4 `viewer`s,
    # whose `user`s (1 + 1 + 1) merge at viewer.user
    frags = (
        "{ ...A ...B } fragment A on Query { viewer { user { username } } viewer { roles } } "
        "fragment B on Query { viewer { user { username } } ... on Query { viewer { user "
        "{ username } } } }"
    )
    assert op(frags).repeats == 4
    # an alias is its own response name; leaves (`__typename`) are not counted
    assert op("{ a: viewer { roles } b: viewer { roles } " + "__typename " * 50 + "}").repeats == 1
    # a fragment spread 2^20 times saturates instead of enumerating
    bomb_ = bomb(20).replace("{ __typename }", "{ viewer { roles } }")
    assert op(bomb_).repeats == 2**20
