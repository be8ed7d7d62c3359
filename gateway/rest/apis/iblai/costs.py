"""ibl.ai Costs: LLM cost totals and series, and cost details grouped by provider, user or
model. Every amount is USD as a decimal number (the engine stores USD cents).
Response contracts: see the package docstring (`gateway.rest.apis.iblai`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gateway.errors import InvalidInput
from gateway.rest.apis.iblai.common import (
    ERRORS,
    PREFIX,
    TAG,
    ChartDep,
    CtxDep,
    LimitQ,
    PageQ,
    PeriodOut,
    Point,
    blank,
    check_choice,
    count,
    page_offset,
    paginated,
    parse_csv,
    percent,
    period_out,
    points,
    run,
    usd,
)
from gateway.rest.routes import uses

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)

COST_METRICS = ("total_costs", "weekly_costs", "monthly_costs")
GRANULARITY = {"total_costs": "DAY", "weekly_costs": "WEEK", "monthly_costs": "MONTH"}
GROUP_BYS = ("provider", "username", "llm_model")
USER_METRICS = ("total_costs", "sessions")


class CostsOut(BaseModel):
    metric: str = Field(description="total_costs | weekly_costs | monthly_costs.")
    unit: str = Field(description="Always USD.")
    all_time: bool
    granularity: str | None = Field(
        description="day (total_costs), week (weekly_costs), month (monthly_costs); null for "
        "the all-time total_costs, which has no series."
    )
    period: PeriodOut
    total: float = Field(description="Cost over the period (or all time), USD.")
    previous_total: float | None = Field(description="Previous period, USD (null: all time).")
    change_percentage: float | None
    results: list[Point] = Field(description="USD per bucket, zero-filled, oldest first.")


@router.get("/analytics/financial/", response_model=CostsOut)
@uses("iblai/CostSeries", "iblai/AllTimeCosts")
async def financial(
    ctx: CtxDep,
    chart: ChartDep,
    metric: Annotated[str | None, Query(description=" | ".join(COST_METRICS))] = None,
) -> dict:
    """LLM cost: per day (total_costs), per week or per month, over the period or
    all time (`date_filter=all_time` or `all_time=true`)."""
    metric = check_choice("metric", metric, COST_METRICS) or "total_costs"
    out: dict[str, Any] = {"metric": metric, "unit": "USD"}
    if chart.date_filter == "all_time":
        variables = {
            **chart.variables,
            "weekly": metric == "weekly_costs",
            "monthly": metric == "monthly_costs",
        }
        a = await run(ctx, "AllTimeCosts", variables)
        series = a.get("weeklyCosts") or a.get("monthlyCosts")
        return {
            **out,
            "all_time": True,
            "granularity": series["granularity"].lower() if series else None,
            "period": period_out(chart, a["period"]),
            "total": usd(a["totalCostCents"]),
            "previous_total": None,
            "change_percentage": None,
            "results": points(series, money=True) if series else [],
        }
    variables = {**chart.variables, "granularity": GRANULARITY[metric]}
    a = await run(ctx, "CostSeries", variables)
    c, series = a["costCents"], a["series"]
    pct = c["changePercent"]
    return {
        **out,
        "all_time": False,
        "granularity": series["granularity"].lower(),
        "period": period_out(chart, a["period"]),
        "total": usd(c["current"]),
        "previous_total": usd(c["previous"]),
        "change_percentage": percent(pct),
        "results": points(series, money=True),
    }


class ProviderRow(BaseModel):
    provider: str | None
    total_costs: float = Field(description="USD.")
    llm_calls: int
    tokens: int


class ModelRow(BaseModel):
    llm_model: str | None
    total_costs: float = Field(description="USD.")
    llm_calls: int
    tokens: int


class CostGroupsOut(BaseModel):
    group_by: str = Field(description="provider | llm_model.")
    unit: str = Field(description="Always USD.")
    period: PeriodOut
    count: int
    results: list[ProviderRow] | list[ModelRow] = Field(description="Highest cost first.")


class UserCostRow(BaseModel):
    username: str
    name: str
    email: str | None
    total_costs: float | None = Field(None, description="USD (when in `metrics`).")
    sessions: int | None = Field(None, description="Chat sessions (when in `metrics`).")


class UserCostsPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[UserCostRow] = Field(description="Highest cost first.")


@router.get(
    "/analytics/financial/details/",
    responses={200: {"model": CostGroupsOut | UserCostsPage}},
)
@uses("iblai/CostGroups", "iblai/CostByUser")
async def financial_details(
    request: Request,
    ctx: CtxDep,
    chart: ChartDep,
    group_by: Annotated[str | None, Query(description=" | ".join(GROUP_BYS))] = None,
    metric: Annotated[str | None, Query(description="total_costs (provider/model).")] = None,
    metrics: Annotated[str | None, Query(description="Comma list: total_costs,sessions.")] = None,
    page: PageQ = 1,
    limit: LimitQ = 20,
    search: Annotated[str | None, Query(description="Username, name or email.")] = None,
) -> dict:
    """Cost grouped by provider or LLM model (top `limit`), or per user (paginated)."""
    group = blank(group_by)
    if group not in GROUP_BYS:
        raise InvalidInput(f"`group_by` must be one of {', '.join(GROUP_BYS)}; got {group!r}.")
    check_choice("metric", metric, ("total_costs",))
    if group == "username":
        wanted = parse_csv("metrics", metrics, USER_METRICS)
        variables = {
            **chart.variables,
            "search": blank(search),
            "first": limit,
            "offset": page_offset(page, limit),
        }
        conn = (await run(ctx, "CostByUser", variables))["costByUser"]
        rows = []
        for u in conn["nodes"]:
            row = {"username": u["username"], "name": u["name"], "email": u["email"]}
            if "total_costs" in wanted:
                row["total_costs"] = usd(u["costCents"])
            if "sessions" in wanted:
                row["sessions"] = count(u["sessions"])
            rows.append(row)
        return paginated(request, page, limit, conn["totalCount"], rows)
    variables = {**chart.variables, "byProvider": group == "provider", "limit": limit}
    a = await run(ctx, "CostGroups", variables)
    groups = a.get("costByProvider") if group == "provider" else a.get("costByModel")
    rows = [
        {
            group: g["key"],
            "total_costs": usd(g["costCents"]),
            "llm_calls": count(g["llmCalls"]),
            "tokens": count(g["tokens"]),
        }
        for g in groups or []
    ]
    return {
        "group_by": group,
        "unit": "USD",
        "period": period_out(chart, a["period"]),
        "count": len(rows),
        "results": rows,
    }
