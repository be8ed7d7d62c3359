"""The shim's catalog: which REST route runs which persisted operation. Used by
`tally operations list` and by the shim contract test; nothing here touches a database.

    shim_routes()        every route of every router in ROUTER_MODULES that exists
    operation_catalog()  every persisted operation with the routes that run it
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from fastapi.routing import APIRoute

from gateway.rest.apis import ROUTER_MODULES
from gateway.rest.persisted import persisted_operations


@dataclass(frozen=True)
class ShimRoute:
    module: str  # "gateway.rest.apis.<api>"
    methods: tuple[str, ...]
    path: str
    tags: tuple[str, ...]
    operations: tuple[str, ...] | None  # from `@uses`; None when the endpoint has none
    route: APIRoute

    def label(self) -> str:
        return f"{'|'.join(self.methods)} {self.path}"


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # "<api>/<OperationName>"
    api: str
    file: str  # relative to the repository root
    routes: tuple[str, ...]  # "POST /api/v1/aistudios/metrics/", ...


def router_modules() -> list[ModuleType]:
    """The legacy API modules that exist (a module not written yet is skipped)."""
    modules = []
    for name in ROUTER_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def shim_routes() -> list[ShimRoute]:
    routes = []
    for module in router_modules():
        for route in module.router.routes:
            if not isinstance(route, APIRoute):
                continue
            routes.append(
                ShimRoute(
                    module=module.__name__,
                    methods=tuple(sorted(route.methods)),
                    path=route.path,
                    tags=tuple(str(t) for t in route.tags),
                    operations=getattr(route.endpoint, "__operations__", None),
                    route=route,
                )
            )
    return routes


def operation_catalog() -> list[CatalogEntry]:
    """The persisted allow-list, sorted by name, each with the routes that run it."""
    used_by: dict[str, list[str]] = {}
    for r in shim_routes():
        for op in r.operations or ():
            used_by.setdefault(op, []).append(r.label())
    return [
        CatalogEntry(
            op.name,
            op.api,
            f"gateway/rest/operations/{op.api}/{op.path.name}",
            tuple(used_by.get(op.name, ())),
        )
        for op in sorted(persisted_operations().values(), key=lambda o: o.name)
    ]
