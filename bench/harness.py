"""Percentiles and the printed tables: the side-by-side table of one dataset and the
growth table (p50 on the largest dataset over p50 on the smallest, per case)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.runner import CaseResult


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _ms(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _pair(a: float | None, b: float | None) -> str:
    return "–" if a is None else f"{_ms(a)} / {_ms(b)}"


def _x(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}×"


def _rps(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _n(v: int | None) -> str:
    return "–" if v is None else str(v)


def table(rows: Sequence[CaseResult]) -> str:
    head = (
        "| case | Tally p50 / p95 ms | PostGraphile p50 / p95 ms | floor p50 ms "
        "| Tally/PG p50 | Tally/floor p50 | Tally rps | PG rps | rps Tally/PG "
        "| statements Tally / PG / floor |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r.name} | {_pair(r.tally.p50_ms, r.tally.p95_ms)} "
            f"| {_pair(r.peer.p50_ms, r.peer.p95_ms)} | {_ms(r.floor.p50_ms)} "
            f"| {_x(r.tally_vs_peer)} | {_x(r.tally_vs_floor)} | {_rps(r.tally.rps)} "
            f"| {_rps(r.peer.rps)} | {_x(r.rps_ratio)} "
            f"| {_n(r.tally.statements)} / {_n(r.peer.statements)} / {_n(r.floor.statements)} |"
        )
    return "\n".join(lines)


def growth_table(by_scale: dict[str, Sequence[CaseResult]]) -> str:
    """p50 per dataset and p50 largest / p50 smallest, for Tally and PostGraphile."""
    scales = list(by_scale)
    first, last = scales[0], scales[-1]
    cols = " | ".join(f"Tally p50 {s}" for s in scales)
    head = (
        f"| case | {cols} | Tally {last}/{first} | PG {last}/{first} | floor {last}/{first} |\n"
        "|---|" + "---:|" * (len(scales) + 3)
    )
    lines = [head]
    names = [r.name for r in by_scale[first]]
    for name in names:
        per = {s: next((r for r in by_scale[s] if r.name == name), None) for s in scales}
        small, large = per[first], per[last]

        def ratio(side: str, small=small, large=large) -> float | None:
            if small is None or large is None:
                return None
            a, b = getattr(large, side).p50_ms, getattr(small, side).p50_ms
            return a / b if a is not None and b else None

        cells = " | ".join(_ms(per[s].tally.p50_ms if per[s] else None) for s in scales)
        lines.append(
            f"| {name} | {cells} | {_x(ratio('tally'))} | {_x(ratio('peer'))} "
            f"| {_x(ratio('floor'))} |"
        )
    return "\n".join(lines)
