"""Rendering of the console's HTML pages from `templates/`. Pages have no inline script:
the data a page needs travels in a `<script type="application/json">` block (which the
browser never executes, so a `script-src 'self'` CSP allows it) read by the page's own
script from `static/`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from fastapi.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"
STATIC_PREFIX = "/console/static"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text())


def json_block(data: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(name: str, config: dict[str, Any], **values: str) -> HTMLResponse:
    """`templates/<name>` with `$static` (the assets prefix), `$config` (the page's JSON
    config block) and `values` (already safe HTML) substituted."""
    html = _template(name).substitute(static=STATIC_PREFIX, config=json_block(config), **values)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
