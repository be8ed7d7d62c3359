"""Errors safe to show a caller, and the helpers that keep everything else masked; and
`CliError`, the one-line failure the `tally` command prints (here, below both
`gateway.cli` and the commands it runs, such as `gateway.demo`)."""

from __future__ import annotations


class TallyError(Exception):
    """An error whose message is written for the caller. `code` is machine-readable."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    @property
    def details(self) -> dict | None:
        """Structured extras for REST error bodies (e.g. per-field errors)."""
        return None

    @property
    def extensions(self) -> dict[str, str]:
        """graphql-core copies this onto the GraphQL error (`extensions.code`)."""
        return {"code": self.code.upper()}


class InvalidInput(TallyError):
    code = "invalid_input"
    status = 400


class NotFound(TallyError):
    code = "not_found"
    status = 404


class Forbidden(TallyError):
    code = "forbidden"
    status = 403


class Unauthenticated(TallyError):
    code = "unauthenticated"
    status = 401


class PayloadTooLarge(TallyError):
    code = "payload_too_large"
    status = 413


class TooManyRequests(TallyError):
    """A rate limit was reached; `retry_after` is when the next request is allowed."""

    code = "rate_limited"
    status = 429


class ServiceUnavailable(TallyError):
    """The database cannot answer now (see `gateway.dbfaults`); retry later."""

    code = "unavailable"
    status = 503


class DeadlineExceeded(TallyError):
    """The request ran out of time (`TALLY_REQUEST_TIMEOUT_S`); retry later."""

    code = "timeout"
    status = 504


class CliError(Exception):
    """A failure the `tally` command reports as one line; `exit_code` 2 means bad input."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
