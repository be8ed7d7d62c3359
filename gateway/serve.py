"""`tally serve`: prepare the database (migrate, optionally seed the demo) and run uvicorn."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

from gateway.config import Settings


async def prepare(settings: Settings, *, seed_demo_if_empty: bool) -> list[dict]:
    """Migrate; seed the demo when asked and the database has no org. Returns the demo
    principals whose tokens are present (for the banner)."""
    from sqlalchemy import func, select

    from gateway import migrate
    from gateway.db import open_database
    from gateway.demo import DEFAULT_SEED, demo_principals_present, seed_demo
    from gateway.models import Org

    db = await open_database(settings)
    try:
        await migrate.upgrade(db.engine)
        async with db.session() as session:
            orgs = await session.scalar(select(func.count()).select_from(Org))
        if orgs == 0 and seed_demo_if_empty:
            print("Seeding the demo dataset (small scale)…", file=sys.stderr)
            await seed_demo(db, scale="small", seed=DEFAULT_SEED)
        return await demo_principals_present(db, seed=DEFAULT_SEED)
    finally:
        await db.dispose()


def banner(settings: Settings, host: str, port: int, principals: list[dict]) -> str:
    base = f"http://{host}:{port}"
    where = (
        "DATABASE_URL"
        if settings.database_url
        else f"embedded PostgreSQL in {settings.data_dir / 'pgdata'}"
    )
    query = '{"query": "{ viewer { user { username } roles org { key name } } }"}'
    lines = [
        "",
        f"Tally is serving on {base}",
        f"  GraphiQL   {base}/graphql",
        f"  OpenAPI    {base}/docs",
        f"  health     {base}/livez  {base}/readyz",
        f"  database   {where}",
    ]
    if principals:
        lines.append("")
        lines.append("Demo principals (Authorization: Bearer <token> or Api-Token <token>):")
        widths = [max(len(p[k]) for p in principals) for k in ("name", "role", "username")]
        for p in principals:
            lines.append(
                f"  {p['name']:<{widths[0]}}  {p['role']:<{widths[1]}}  "
                f"{p['username']:<{widths[2]}}  {p['token']}"
            )
        admin = next((p for p in principals if p["name"] == "org_admin"), principals[0])
        lines += [
            "",
            "Try:",
            f"  curl -s {base}/graphql -H 'Authorization: Bearer {admin['token']}' \\",
            f"       -H 'Content-Type: application/json' -d '{query}'",
        ]
    lines.append("")
    return "\n".join(lines)


def prepare_metrics_dir(data_dir: Path) -> Path:
    """Empty the directory the server's processes share Prometheus metrics through and
    select it (prometheus-client reads PROMETHEUS_MULTIPROC_DIR when it is first imported,
    so this runs before anything imports gateway.observability)."""
    directory = Path(data_dir) / "prometheus"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def serve(
    settings: Settings, *, seed_demo_if_empty: bool, host: str | None, port: int | None
) -> None:
    prepare_metrics_dir(settings.data_dir)
    import uvicorn

    from gateway.app import create_app

    host = host or settings.host
    port = port or settings.port
    principals = asyncio.run(prepare(settings, seed_demo_if_empty=seed_demo_if_empty))
    print(banner(settings, host, port, principals), flush=True)
    app = create_app(settings)
    admin = next((p for p in principals if p["name"] == "org_admin"), None)
    if admin:
        app.state.graphiql_headers = json.dumps({"Authorization": f"Bearer {admin['token']}"})
    # log_config=None: uvicorn's loggers go through Tally's handler (gateway/logs.py);
    # the access line is Tally's own (gateway/middleware.py)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
