"""The validator's fast path accepts exactly what the full checks accept, with the same
result, and hands everything else to them (which then say what is wrong)."""

from __future__ import annotations

import pytest

from gateway.ingest.validate import _check_static, _fast

EV = {
    "event_id": "e-1",
    "type": "view",
    "subject": {"type": "publication", "key": "ai-research-studio"},
    "ts": "2026-03-01T10:15:00+02:00",
}

VALID = [
    EV,
    {**EV, "actor": "olive", "value": 3, "dims": {"experience_type": "PODCAST"}},
    {**EV, "value": 2.5, "attrs": {"b": [1, 2], "a": {"x": None}}, "org": "acme"},
    {**EV, "type": "play", "actor": "fan"},
    {**EV, "dims": {}, "attrs": {}, "ts": "2026-03-01T10:15:00Z"},
    {**EV, "dims": None, "attrs": None},
    {**EV, "dims": {"experience_type": True}},
]
INVALID = [
    [],
    "x",
    {**EV, "extra": 1},
    {**EV, "event_id": ""},
    {**EV, "event_id": "   "},
    {**EV, "event_id": "x" * 201},
    {**EV, "event_id": "a\u0000b"},
    {**EV, "event_id": 7},
    {**EV, "subject": "ai-research-studio"},
    {**EV, "subject": {"type": "publication"}},
    {**EV, "subject": {"type": "publication", "key": ""}},
    {**EV, "subject": {"type": "publication", "key": "k", "id": 1}},
    {**EV, "subject": {"type": "thread", "key": "k"}},
    {**EV, "subject": {"type": "planet", "key": "k"}},
    {**EV, "type": "explode"},
    {**EV, "type": ["view"]},
    {**EV, "ts": "2026-03-01T10:15:00"},
    {**EV, "ts": "yesterday"},
    {**EV, "ts": 1700000000},
    {**EV, "org": 5},
    {**EV, "actor": ""},
    {**EV, "actor": "a", "actor_id": 1},
    {**EV, "type": "play"},
    {**EV, "value": True},
    {**EV, "value": "1"},
    {**EV, "value": float("inf")},
    {**EV, "value": 10**400},
    {**EV, "dims": []},
    {**EV, "dims": 0},
    {**EV, "dims": {"platform": "x"}},
    {**EV, "dims": {"experience_type": {"nested": 1}}},
    {**EV, "dims": {"experience_type": "a\u0000b"}},
    {**EV, "attrs": "x"},
    {**EV, "attrs": []},
    {**EV, "attrs": {"x": "a\u0000b"}},
    {**EV, "attrs": {"n": 2**64}},
]
SLOW_BUT_VALID = [
    {**EV, "subject": {"type": "publication", "id": 12}},
    {**EV, "type": "message", "subject": {"type": "thread", "id": 12}},
    {**EV, "actor_id": 5},
    {**EV, "value": 2**60},
]


@pytest.mark.parametrize("event", VALID)
def test_fast_path_equals_full_checks(event):
    full, err = _check_static(0, event)
    assert err is None
    assert _fast(0, event) == full


@pytest.mark.parametrize("event", INVALID)
def test_invalid_events_leave_the_fast_path(event):
    assert _fast(0, event) is None
    full, err = _check_static(0, event)
    assert full is None and err.reason


@pytest.mark.parametrize("event", SLOW_BUT_VALID)
def test_rarer_shapes_take_the_full_checks(event):
    assert _fast(0, event) is None
    assert _check_static(0, event)[1] is None
