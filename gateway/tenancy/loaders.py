"""Request-scoped loaders for users and orgs (always within the caller's org)."""

from __future__ import annotations

from gateway.loaders import RequestLoader, in_key_order
from gateway.tenancy import repository


class UserByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.users_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda u: u.id)


class UserByUsernameLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.users_by_usernames(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda u: u.username)


class OrgByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.orgs_by_ids(self.ctx.db, keys)
        return in_key_order(keys, rows, lambda o: o.id)
