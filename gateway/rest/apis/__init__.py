"""One module per legacy API, each exposing `router` (an APIRouter) and registering its
error dialect with `gateway.dialects.register_error_dialect`. `ROUTER_MODULES` lists them."""

ROUTER_MODULES = (
    "gateway.rest.apis.aisquare",
    "gateway.rest.apis.amp",
    "gateway.rest.apis.agent_platform",
    "gateway.rest.apis.iblai",
    "gateway.rest.apis.athena",
)
