"""Settings, read and validated by pydantic-settings (every variable is in the README).

`Settings.from_env()` reads the environment; `Settings(field=value, ...)` uses only the
keywords given and the defaults, so tests never pick up the caller's environment. A bad
value raises `SettingsError` whose message is one line naming the variable and what it
expects.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_READ_ENV: ContextVar[bool] = ContextVar("tally_settings_read_env", default=False)


class SettingsError(ValueError):
    """An environment variable has a value Tally cannot use (message: one line)."""


def _env(name: str, variable: str) -> Any:
    """The field is set by keyword `name` or by environment variable `variable`."""
    return AliasChoices(name, variable)


PositiveInt = Annotated[int, Field(gt=0)]


class Settings(BaseSettings):
    """Field `name` is read from `TALLY_<NAME>` unless it names another variable."""

    model_config = SettingsConfigDict(
        frozen=True, populate_by_name=True, extra="ignore", env_prefix="TALLY_"
    )

    database_url: str | None = Field(None, validation_alias=_env("database_url", "DATABASE_URL"))
    data_dir: Path = PROJECT_ROOT / ".tally"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    redis_url: str | None = Field(None, validation_alias=_env("redis_url", "REDIS_URL"))
    smtp_url: str | None = Field(None, validation_alias=_env("smtp_url", "SMTP_URL"))
    env: Literal["development", "production"] = "development"
    # unset: development keeps a random one in data_dir; production refuses to start
    secret: str | None = Field(None, min_length=1)
    # empty: http://{host}:{port}
    public_base_url: str = Field("", validation_alias=_env("public_base_url", "TALLY_PUBLIC_URL"))
    ingest_max_events: PositiveInt = 10_000
    ingest_max_bytes: PositiveInt = 10 * 1024 * 1024
    statement_timeout_ms: int = Field(15_000, ge=0)
    request_timeout_s: float = Field(20.0, gt=0)
    ready_timeout_s: float = Field(0.8, gt=0)
    db_connect_timeout_s: float = Field(5.0, gt=0)
    db_pool_timeout_s: float = Field(5.0, gt=0)
    max_query_depth: PositiveInt = 12
    max_aliases: PositiveInt = 50
    max_query_tokens: PositiveInt = 2_000
    graphql_max_bytes: PositiveInt = 262_144
    cost_budget_anonymous: PositiveInt = 1_000
    cost_budget_authenticated: PositiveInt = 100_000
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    # comma-separated origins allowed to call Tally from a browser ("*" = any)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    gzip_min_bytes: int = Field(1_024, ge=0)
    inprocess_worker: bool = True
    # how long a process trusts a token it has looked up (0: no cache); revocations
    # reach every process within it (sooner through Redis)
    principal_cache_ttl_s: float = Field(1.0, ge=0, le=1.0)
    rate_limit_enabled: bool = True
    rate_limit_token_rps: float = Field(10.0, gt=0)
    rate_limit_token_burst: PositiveInt = 100
    rate_limit_anonymous_rps: float = Field(2.0, gt=0)
    rate_limit_anonymous_burst: PositiveInt = 30
    # answers of repeated read operations (gateway.response_cache); 0 s turns it off
    response_cache_ttl: float = Field(5.0, ge=0)
    response_cache_max_bytes: PositiveInt = 64 * 1024 * 1024
    response_cache_max_entry_bytes: PositiveInt = 1024 * 1024
    csp: str = Field("", validation_alias=_env("csp", "TALLY_CSP"))  # empty: the console's
    extra: dict[str, str] = Field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @field_validator("database_url", "redis_url", "smtp_url", "secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(
            ("postgresql://", "postgres://", "postgresql+asyncpg://")
        ):
            raise ValueError("expected a PostgreSQL URL such as postgresql://user@host:5432/tally")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(
                    "expected comma-separated origins such as https://app.example.com, or *"
                )
        return [o.rstrip("/") for o in value]

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @model_validator(mode="after")
    def _public_url(self) -> Settings:
        if not self.public_base_url:
            # frozen: fill the derived default once, before anyone sees the object
            self.__dict__["public_base_url"] = f"http://{self.host}:{self.port}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings) if _READ_ENV.get() else (init_settings,)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from the environment (`overrides` win). Raises `SettingsError`."""
        token = _READ_ENV.set(True)
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(describe(exc)) from None
        finally:
            _READ_ENV.reset(token)

    def is_set(self, name: str) -> bool:
        """Whether field `name` was given (by keyword or environment), not defaulted."""
        return name in self.model_fields_set

    def apply_logging(self, default_level: str | None = None) -> None:
        """Apply the log level: TALLY_LOG_LEVEL when set, else `default_level` (or the
        setting's default)."""
        from gateway import logs

        level = self.log_level if self.is_set("log_level") or not default_level else default_level
        logs.configure(level, self.log_format)


def describe(exc: ValidationError) -> str:
    """One line per bad variable: `TALLY_PORT: expected ... (got 'x')`."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "settings"
        variable = _VARIABLES.get(name, name)
        message = error["msg"].removeprefix("Value error, ").split(", unable to")[0]
        message = message.replace("Input should be", "expected")
        got = error.get("input")
        shown = f" (got {str(got)[:60]!r})" if isinstance(got, str | int | float) else ""
        parts.append(f"{variable}: {message}{shown}")
    return "; ".join(parts)


def variable_name(field_name: str) -> str:
    """The environment variable that sets field `field_name`."""
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1])
    return f"TALLY_{field_name.upper()}"


def _variable_names() -> dict[str, str]:
    names = {}
    for field_name in Settings.model_fields:
        variable = variable_name(field_name)
        names[field_name] = names[variable] = names[variable.lower()] = variable
    return names


_VARIABLES = _variable_names()
