"""Settings of the center: a pydantic-settings model read from ``OUTREACH_CENTER_*`` variables.

``outreach center ...`` builds it from its arguments over the environment (an argument given wins), so a
deployment sets the variables once (a systemd unit, a container) and an operator overrides one on the command
line. :func:`explain` turns a refusal into words naming the setting, its variable and its option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.center.factory import SCHEMA_NAME_PATTERN

ENV_PREFIX = "OUTREACH_CENTER_"


class CenterSettings(BaseSettings):
    """What a center deployment sets. Environment variables: ``OUTREACH_CENTER_`` + the field name in capitals."""

    # use_attribute_docstrings: the docstring under each field is its description (the README lists them)
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True,
                                      use_attribute_docstrings=True)

    db: str | None = None
    """The store's database address (:mod:`sync.center.factory`): ``postgresql://...``, ``sqlite:///abs/path``,
    ``sqlite:rel/path`` or a file path. None: the embedded center's SQLite file under the data folder."""
    pg_schema: str | None = Field(default=None, pattern=SCHEMA_NAME_PATTERN)
    """PostgreSQL only: the schema holding the center's tables (a plain lower-case name). None: the database's
    search path (usually ``public``)."""
    key_file: Path | None = None
    """The center's private keys, mode 600, shared by its processes. None: kept in the database (suits the
    embedded single-machine center)."""
    listen: str = "127.0.0.1:8765"
    """Where ``serve`` listens, HOST:PORT."""
    tls_cert: Path | None = None
    """``serve``: the TLS certificate (PEM, with its chain) the center answers with. Off loopback, ``serve``
    needs it and ``tls_key``, or ``insecure_http``."""
    tls_key: Path | None = None
    """``serve``: the TLS certificate's private key (PEM)."""
    insecure_http: bool = False
    """``serve``: plain HTTP on an address that is not loopback (names and numbers readable on the wire)."""
    enrol_code_hours: int = Field(default=72, ge=1, le=24 * 30)
    """How long a one-time enrolment code stays valid, in hours (1 to 720)."""
    due_every_minutes: int = Field(default=10, ge=1, le=24 * 60)
    """How often ``serve`` applies the time-driven deadlines (a loss report lifting itself, recall), in minutes."""

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("HOST:PORT")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @classmethod
    def from_arguments(cls, **given: Any) -> CenterSettings:
        """The environment's settings with every argument that was given (not None) put over them.

        Raises:
            ValidationError: a value is refused (:func:`explain` says which, in words).
        """
        return cls(**{k: v for k, v in given.items() if v is not None})


#: The ``outreach center`` option setting each field (due_every_minutes: the environment only).
OPTIONS: dict[str, str] = {"db": "--db", "pg_schema": "--pg-schema", "key_file": "--key-file",
                           "listen": "--listen", "enrol_code_hours": "--ttl-hours", "tls_cert": "--tls-cert",
                           "tls_key": "--tls-key", "insecure_http": "--insecure-http"}

#: What each setting needs, Chinese and English.
_NEEDS: dict[str, tuple[str, str]] = {
    "db": ("数据库地址", "a database address"),
    "pg_schema": ("小写字母、数字和下划线组成的名称", "a plain lower-case name (letters, digits, _)"),
    "key_file": ("文件路径", "a file path"),
    "listen": ("HOST:PORT 形式的地址（端口 1-65535）", "an address HOST:PORT (port 1-65535)"),
    "enrol_code_hours": ("1 到 720 之间的小时数", "a number of hours from 1 to 720"),
    "tls_cert": ("文件路径", "a file path"),
    "tls_key": ("文件路径", "a file path"),
    "insecure_http": ("true 或 false", "true or false"),
    "due_every_minutes": ("1 到 1440 之间的分钟数", "a number of minutes from 1 to 1440"),
}


def explain(exc: ValidationError) -> str:
    """The refused settings in words, Chinese first: which setting, its variable and option, what it needs.
    Never repeats the value given (a database URL may carry a password)."""
    zh: list[str] = []
    en: list[str] = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        need_zh, need_en = _NEEDS.get(field, ("有效的值", "a valid value"))
        where = " / ".join(w for w in (f"{ENV_PREFIX}{field.upper()}", OPTIONS.get(field)) if w)
        zh.append(f"设置 {field}（{where}）需要{need_zh}")
        en.append(f"setting {field} ({where}) needs {need_en}")
    return "；".join(zh) + " / " + "; ".join(en)
