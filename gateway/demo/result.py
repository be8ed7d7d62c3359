"""What `seed_demo` returns: counts, checksum, timings and the demo principals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.demo.principals import PRINCIPALS, principal_json


@dataclass
class SeedResult:
    scale: str
    seed: int
    anchor: datetime
    days: int
    counts: dict[str, int]
    checksum: str
    events_written: int
    events_seconds: float
    elapsed: float
    method: str = "copy"

    def principals_json(self) -> list[dict]:
        """One entry per demo principal: name, role, org, username, scheme, token."""
        return [principal_json(p, self.seed) for p in PRINCIPALS]

    def summary(self) -> str:
        rate = self.events_written / self.events_seconds if self.events_seconds else 0.0
        lines = [
            f"Demo dataset seeded: scale {self.scale}, seed {self.seed}, "
            f"{self.days} days up to {self.anchor:%Y-%m-%d %H:%M} UTC",
            "",
            f"  {'table':<24}{'rows':>12}",
        ]
        for table, n in sorted(self.counts.items()):
            lines.append(f"  {table:<24}{n:>12,}")
        lines += [
            "",
            f"  events written   {self.events_written:,} in {self.events_seconds:.1f}s "
            f"({rate:,.0f}/s, {self.method})",
            f"  total elapsed    {self.elapsed:.1f}s",
            f"  checksum         {self.checksum}",
            "",
            "Demo principals (Authorization: Bearer <token> or Api-Token <token>):",
        ]
        for p in self.principals_json():
            lines.append(f"  {p['name']:<18} {p['org']:<7} {p['username']:<14} {p['token']}")
        return "\n".join(lines)
