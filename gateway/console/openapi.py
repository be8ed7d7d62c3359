"""The OpenAPI document as the console shows it: both ways to send a token (Bearer and
Api-Token) declared as security schemes and required on every operation, so Swagger UI's
"Authorize" then "Try it out" sends the header the API checks."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <token>` (`make run` prints the demo tokens).",
    },
    "apiToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Enter `Api-Token <token>`: the whole header value, scheme included.",
    },
}
SECURITY = [{"bearer": []}, {"apiToken": []}]
"""Either scheme is enough (OpenAPI: alternatives are separate requirement objects)."""

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def install_security(app: FastAPI) -> None:
    """Make `app.openapi()` declare the token schemes on every operation (cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            doc.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            doc["security"] = SECURITY
            for item in doc.get("paths", {}).values():
                for method in _METHODS:
                    if method in item:
                        item[method]["security"] = SECURITY
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
