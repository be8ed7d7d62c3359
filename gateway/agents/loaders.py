"""Request-scoped loaders for agents and their deployment counts (within the caller's org)."""

from __future__ import annotations

from gateway.agents import repository
from gateway.agents.repository import DeploymentCounts
from gateway.loaders import RequestLoader, in_key_order


class AgentByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.agents_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda a: a.id)


class AgentByKeyLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.agents_by_keys(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda a: a.key)


class DeploymentCountsByAgentIdLoader(RequestLoader):
    """Agent id -> DeploymentCounts (zeros for an agent without deployments)."""

    async def batch_load_fn(self, keys):
        found = await repository.deployment_counts(self.ctx.db, self.ctx.principal.org_id, keys)
        return [found.get(k, DeploymentCounts()) for k in keys]
