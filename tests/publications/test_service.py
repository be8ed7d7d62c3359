"""The public-impact formulas of gateway/publications/service.py, on hand-computed numbers.
log10(10001) = 4.0000434 is the saturation denominator throughout."""

from __future__ import annotations

import pytest

from gateway.publications.service import (
    completion_rate,
    experience_counts,
    influence_score,
    public_impact,
)


def test_completion_rate():
    assert completion_rate(60, 80) == 75.0
    assert completion_rate(1, 3) == 33.33  # 33.333.. rounded to 2 decimals
    assert completion_rate(0, 5) == 0.0
    assert completion_rate(0, 0) is None  # no plays: undefined, not 0
    assert completion_rate(3, 0) is None


@pytest.mark.parametrize(
    ("counts", "rate", "expected"),
    [
        # E = 80 + 2*20 + 3*10 + 3*10 + 4*5 = 200; reach = log10(201)/log10(10001)
        # = 2.3031961/4.0000434 = 0.5757927; finish = 0.5 + 0.5*0.75 = 0.875
        # -> 100 * 0.5757927 * 0.875 = 50.38 -> 50.4
        ((80, 20, 10, 5, 10), 75.0, 50.4),
        # nothing happened -> 0
        ((0, 0, 0, 0, 0), None, 0.0),
        # no plays, 10 likes: E = 20; reach = log10(21)/4.0000434 = 0.3305512; finish 0.5
        # -> 16.53 -> 16.5
        ((0, 10, 0, 0, 0), None, 16.5),
        # E = 10 000 exactly saturates; 100% completion -> 100
        ((10_000, 0, 0, 0, 0), 100.0, 100.0),
        # far beyond saturation stays bounded at 100
        ((1_000_000, 50_000, 9_000, 7_000, 3_000), 100.0, 100.0),
        # completion above 100 (completions without plays) is clamped: E = 1,
        # reach = log10(2)/4.0000434 = 0.0752567, finish 1 -> 7.5
        ((1, 0, 0, 0, 0), 300.0, 7.5),
        # 0% completion halves the score: E = 200 as above -> 100 * 0.5757927 * 0.5 = 28.8
        ((80, 20, 10, 5, 10), 0.0, 28.8),
    ],
)
def test_influence_score(counts, rate, expected):
    plays, likes, saves, shares, comments = counts
    score = influence_score(
        plays=plays,
        likes=likes,
        saves=saves,
        shares=shares,
        comments=comments,
        completion_rate=rate,
    )
    assert score == expected
    assert 0.0 <= score <= 100.0


def test_public_impact_from_engine_sums():
    values = {
        "publication.plays": 3,
        "publication.completions": 1,
        "publication.likes": 0,
        "publication.bookmarks": 0,
        "publication.shares": 0,
        "publication.comments": 0,
        "publication.active_users": 2,
    }
    pi = public_impact(values)
    # rate shown: 33.33; the score uses the exact 33.333..: E = 3, reach = log10(4)/4.0000434
    # = 0.1505133, finish = 0.5 + 0.5/3 = 0.6666667 -> 10.03 -> 10.0
    assert pi.completion_rate == 33.33
    assert pi.influence_score == 10.0
    assert (pi.total_plays, pi.completions, pi.active_users, pi.saves_count) == (3, 1, 2, 0)


def test_experience_counts():
    c = experience_counts({"AI_EXPERT": 2, "QUEST": 3})
    assert c == {"AI_EXPERT": 2, "AI_NOTE": 0, "QUEST": 3, "PODCAST": 0, "total": 5}
