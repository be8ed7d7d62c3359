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


def _both(warm: str, cold: str) -> str:
    return warm if cold == "–" else f"{warm} / {cold}"


def table(rows: Sequence[CaseResult]) -> str:
    """One row per case. Tally's figures are warm (response cache on, as a dashboard
    sees it) and cold (`Cache-Control: no-cache`: every answer computed); ratios to
    PostGraphile and the floor are given for both, warm / cold."""
    head = (
        "| case | Tally warm p50 / p95 ms | Tally cold p50 / p95 ms "
        "| PostGraphile p50 / p95 ms | floor p50 ms "
        "| Tally/PG p50 warm / cold | Tally/floor p50 warm / cold "
        "| Tally rps warm / cold | PG rps | rps Tally/PG warm / cold "
        "| statements Tally / PG / floor |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r.name} | {_pair(r.tally.p50_ms, r.tally.p95_ms)} "
            f"| {_pair(r.cold.p50_ms, r.cold.p95_ms)} "
            f"| {_pair(r.peer.p50_ms, r.peer.p95_ms)} | {_ms(r.floor.p50_ms)} "
            f"| {_both(_x(r.tally_vs_peer), _x(r.cold_vs_peer))} "
            f"| {_both(_x(r.tally_vs_floor), _x(r.cold_vs_floor))} "
            f"| {_both(_rps(r.tally.rps), _rps(r.cold.rps))} "
            f"| {_rps(r.peer.rps)} | {_both(_x(r.rps_ratio), _x(r.cold_rps_ratio))} "
            f"| {_n(r.tally.statements)} / {_n(r.peer.statements)} / {_n(r.floor.statements)} |"
        )
    return "\n".join(lines)


def growth_table(by_scale: dict[str, Sequence[CaseResult]]) -> str:
    """p50 per dataset (Tally warm / cold) and p50 largest / p50 smallest, for Tally warm,
    Tally cold, PostGraphile and the floor."""
    scales = list(by_scale)
    first, last = scales[0], scales[-1]
    cols = " | ".join(f"Tally p50 {s} warm / cold" for s in scales)
    head = (
        f"| case | {cols} | Tally {last}/{first} warm / cold | PG {last}/{first} "
        f"| floor {last}/{first} |\n"
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

        cells = " | ".join(
            _both(_ms(per[s].tally.p50_ms), _ms(per[s].cold.p50_ms)) if per[s] else "–"
            for s in scales
        )
        lines.append(
            f"| {name} | {cells} | {_both(_x(ratio('tally')), _x(ratio('cold')))} "
            f"| {_x(ratio('peer'))} | {_x(ratio('floor'))} |"
        )
    return "\n".join(lines)
