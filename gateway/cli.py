"""The `tally` command line.

    tally serve [--seed-demo-if-empty] [--host H] [--port P] [--workers N]
    tally db upgrade|downgrade [REVISION]
    tally seed --demo [--scale small|medium|large] [--seed N] [--json]
    tally token create --org KEY --user USERNAME [--name N] [--expires-in-days D]
    tally token revoke TOKEN_ID | tally token list --org KEY
    tally ingest FILE [--org KEY]
    tally rollups rebuild [--org KEY]
    tally export-schema [--output PATH] [--check]
    tally worker [--once]
    tally operations list

A failure prints one line to stderr (no traceback) and exits non-zero: 2 for bad usage
or input, 1 for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.config import PROJECT_ROOT, Settings
from gateway.errors import CliError, TallyError


async def _with_db(settings: Settings, fn):
    from gateway.db import open_database, verify

    db = await open_database(settings)
    try:
        await verify(db, settings)
        return await fn(db)
    finally:
        await db.dispose()


# --- commands -----------------------------------------------------------------------


def cmd_db(args, settings: Settings) -> int:
    from gateway import migrate

    async def go(db):
        if args.action == "upgrade":
            await migrate.upgrade(db.engine, args.revision or "head")
        else:
            await migrate.downgrade(db.engine, args.revision or "base")
        return await migrate.current_revision(db.engine)

    rev = asyncio.run(_with_db(settings, go))
    print(f"database at revision {rev or 'base (empty)'}")
    return 0


def cmd_seed(args, settings: Settings) -> int:
    if not args.demo:
        raise CliError("nothing to seed: pass --demo", 2)
    from gateway import migrate
    from gateway.demo import seed_demo

    async def go(db):
        await migrate.upgrade(db.engine)
        return await seed_demo(db, scale=args.scale, seed=args.seed, quiet=args.json)

    result = asyncio.run(_with_db(settings, go))
    if args.json:
        print(json.dumps(result.principals_json(), indent=2))
    else:
        print(result.summary())
    return 0


def cmd_token(args, settings: Settings) -> int:
    from sqlalchemy import select

    from gateway.auth import create_token, revoke_token
    from gateway.models import ApiToken, Org, User
    from gateway.principals import announce_revocation

    async def go(db):
        async with db.session() as session:
            if args.action == "create":
                row = (
                    await session.execute(
                        select(User.org_id, User.id)
                        .join(Org, Org.id == User.org_id)
                        .where(Org.key == args.org, User.username == args.user)
                    )
                ).one_or_none()
                if row is None:
                    raise CliError(f"no user '{args.user}' in org '{args.org}'", 2)
                expires = (
                    datetime.now(UTC) + timedelta(days=args.expires_in_days)
                    if args.expires_in_days
                    else None
                )
                token_row, token = await create_token(
                    session, org_id=row[0], user_id=row[1], name=args.name, expires_at=expires
                )
                await session.commit()
                print(json.dumps({"id": token_row.id, "token": token, "expires_at": str(expires)}))
            elif args.action == "revoke":
                if not await revoke_token(session, args.token_id):
                    raise CliError(f"no active token with id {args.token_id}", 2)
                await session.commit()
                # running servers trust a cached principal for at most
                # TALLY_PRINCIPAL_CACHE_TTL_S; through Redis they hear of it sooner
                await announce_revocation(settings.redis_url)
                print(f"token {args.token_id} revoked")
            else:
                org_id = await session.scalar(select(Org.id).where(Org.key == args.org))
                if org_id is None:
                    raise CliError(f"no org '{args.org}'", 2)
                rows = await session.execute(
                    select(ApiToken, User.username)
                    .join(User, (User.org_id == ApiToken.org_id) & (User.id == ApiToken.user_id))
                    .where(ApiToken.org_id == org_id)
                    .order_by(ApiToken.id)
                )
                for tok, username in rows:
                    state = (
                        "revoked"
                        if tok.revoked_at
                        else "expired"
                        if tok.expires_at and tok.expires_at <= datetime.now(UTC)
                        else "active"
                    )
                    print(f"{tok.id}\t{username}\t{tok.name}\t{tok.prefix}…\t{state}")
        return 0

    return asyncio.run(_with_db(settings, go))


def cmd_ingest(args, settings: Settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}", 2)
    from gateway.ingest.bulk import ingest_file

    async def go(db):
        return await ingest_file(db, path, org_key=args.org)

    report = asyncio.run(_with_db(settings, go))
    print(report.summary())
    return 0 if report.ok else 2


def cmd_rollups(args, settings: Settings) -> int:
    from gateway.ingest.rollups import rebuild_rollups

    async def go(db):
        return await rebuild_rollups(db, org_key=args.org)

    n = asyncio.run(_with_db(settings, go))
    print(f"rollups rebuilt from {n:,} events")
    return 0


def cmd_export_schema(args, settings: Settings) -> int:
    from resolvers.schema import schema

    sdl = schema.as_str() + "\n"
    out = Path(args.output)
    if args.check:
        current = out.read_text() if out.exists() else ""
        if current != sdl:
            raise CliError(f"{out} is stale: run `tally export-schema`", 1)
        print(f"{out} is current")
        return 0
    out.write_text(sdl)
    print(f"wrote {out} ({len(sdl.splitlines())} lines)")
    return 0


def cmd_operations(args, settings: Settings) -> int:
    """The REST shim's persisted-operation allow-list: name, api, the routes running it."""
    from gateway.rest.catalog import operation_catalog

    for entry in operation_catalog():
        print(f"{entry.name}\t{entry.api}\t{', '.join(entry.routes) or '-'}")
    return 0


def cmd_worker(args, settings: Settings) -> int:
    """Run the durable job worker (exports, data reports) until interrupted."""
    from gateway.jobs.worker import Worker

    async def go(db):
        worker = Worker(db, settings)
        if args.once:
            return int(await worker.run_once())
        await worker.run()
        return 0

    n = asyncio.run(_with_db(settings, go))
    if args.once:
        print("ran 1 job" if n else "no job to run")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from gateway.serve import PortInUse, serve

    try:
        serve(
            settings,
            seed_demo_if_empty=args.seed_demo_if_empty,
            host=args.host,
            port=args.port,
            workers=args.workers,
        )
    except PortInUse as exc:
        raise CliError(str(exc), 1) from None
    return 0


# --- parser ---------------------------------------------------------------------------


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise CliError(f"{self.prog}: {message}", 2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tally",
        description="Tally analytics gateway. Settings come from the environment "
        "(see the README's Configuration table).",
    )
    p.add_argument("--version", action="version", version=f"tally {version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("serve", help="run the HTTP server")
    s.add_argument(
        "--seed-demo-if-empty",
        action="store_true",
        help="load the small demo dataset when the database has no org",
    )
    s.add_argument("--host", help="address to listen on (default: TALLY_HOST or 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to listen on (default: TALLY_PORT or 8000)")
    s.add_argument(
        "--workers",
        type=_positive,
        help="server processes sharing the port (default: the number of CPUs)",
    )
    s.set_defaults(fn=cmd_serve)

    d = sub.add_parser("db", help="apply or roll back migrations")
    d.add_argument("action", choices=["upgrade", "downgrade"], help="direction")
    d.add_argument("revision", nargs="?", help="target revision (default: head / base)")
    d.set_defaults(fn=cmd_db)

    sd = sub.add_parser("seed", help="load the demo dataset")
    sd.add_argument("--demo", action="store_true", help="load the demo dataset (required)")
    sd.add_argument(
        "--scale",
        choices=["small", "medium", "large"],
        default="small",
        help="dataset size (default: small)",
    )
    sd.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    sd.add_argument("--json", action="store_true", help="print the demo principals as JSON")
    sd.set_defaults(fn=cmd_seed)

    t = sub.add_parser("token", help="manage API tokens")
    tsub = t.add_subparsers(dest="action", required=True, parser_class=_Parser)
    tc = tsub.add_parser("create", help="create a token (printed once, stored hashed)")
    tc.add_argument("--org", required=True, help="org key")
    tc.add_argument("--user", required=True, help="username")
    tc.add_argument("--name", default="cli", help="a label for the token (default: cli)")
    tc.add_argument("--expires-in-days", type=int, help="expiry (default: never)")
    tr = tsub.add_parser("revoke", help="revoke a token")
    tr.add_argument("token_id", type=int, help="the token's id (see `tally token list`)")
    tl = tsub.add_parser("list", help="list an org's tokens")
    tl.add_argument("--org", required=True, help="org key")
    t.set_defaults(fn=cmd_token)

    i = sub.add_parser("ingest", help="bulk-load NDJSON events with COPY")
    i.add_argument("file", help="NDJSON file, one event per line")
    i.add_argument("--org", help="org key for events that do not name one")
    i.set_defaults(fn=cmd_ingest)

    r = sub.add_parser("rollups", help="rebuild rollups from raw events")
    r.add_argument("action", choices=["rebuild"], help="what to do")
    r.add_argument("--org", help="only this org (default: all)")
    r.set_defaults(fn=cmd_rollups)

    e = sub.add_parser("export-schema", help="write schema.graphql from the code")
    e.add_argument(
        "--output",
        default=str(PROJECT_ROOT / "schema.graphql"),
        help="file to write (default: schema.graphql)",
    )
    e.add_argument("--check", action="store_true", help="fail if the file is stale")
    e.set_defaults(fn=cmd_export_schema)

    w = sub.add_parser("worker", help="run the background job worker")
    w.add_argument("--once", action="store_true", help="run at most one job, then exit")
    w.set_defaults(fn=cmd_worker)

    o = sub.add_parser("operations", help="list the REST shim's persisted operations")
    o.add_argument("action", choices=["list"], help="what to do")
    o.set_defaults(fn=cmd_operations)
    return p


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("tally")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    from gateway.config import SettingsError

    try:
        args = build_parser().parse_args(argv)
        settings = Settings.from_env()
        settings.apply_logging(default_level="INFO" if args.command == "serve" else "WARNING")
        return args.fn(args, settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except TallyError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except Exception as exc:  # one clear line, never a traceback
        from gateway.db import DatabaseUnavailable

        if isinstance(exc, DatabaseUnavailable):
            print(f"error: {exc}", file=sys.stderr)
        elif isinstance(exc, OSError):
            where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the embedded server"
            print(f"error: cannot reach PostgreSQL ({where}): {exc}", file=sys.stderr)
        else:
            print(f"error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
