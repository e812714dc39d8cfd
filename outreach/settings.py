"""Settings of the laptop app: pydantic models, read from the config folder and OUTREACH_* variables.

The model is the one check of every setting (bounds, address form); the settings screen shows its errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from outreach import locations

#: The idle lock's bounds, in minutes.
IDLE_LOCK_MINUTES = (1, 240)


class Settings(BaseSettings):
    """What a worker (or a deployment) can set. Environment variables use the prefix ``OUTREACH_``."""

    model_config = SettingsConfigDict(env_prefix="OUTREACH_", extra="ignore")

    vault_path: Path = Field(default_factory=locations.default_vault_path)
    """The encrypted vault file."""
    language: Literal["zh_CN", "en"] = "zh_CN"
    """User-interface language: Simplified Chinese first, English second."""
    center_url: str | None = None
    """Address of the center, e.g. https://center.example:8443. None: not enrolled yet."""
    idle_lock_minutes: int = Field(default=5, ge=IDLE_LOCK_MINUTES[0], le=IDLE_LOCK_MINUTES[1])
    """Minutes without a key press before the app locks itself."""
    reader: str | None = None
    """Preferred PC/SC reader name; None picks the first user-card reader."""
    theme: Literal["textual-dark", "textual-light", "high-contrast"] = "textual-dark"
    """Colour theme; high-contrast for bright sun or weak eyes."""
    printer: str | None = None
    """CUPS queue for receipts (``lp -d``); None: receipts are saved as PDF or read aloud only."""
    receipt_paper: Literal["a5", "roll80"] = "a5"
    """Receipt paper: an A5 sheet or an 80 mm roll of a portable printer."""
    photo_folder: Path | None = None
    """The folder a camera or scanner saves photos into; the forms list its photos to choose from. None: the
    user's Pictures folder, else the home folder."""

    @field_validator("center_url", mode="before")
    @classmethod
    def _center_address(cls, value: object) -> object:
        """An http(s) address, surrounding spaces dropped; empty means none. Raises ValueError otherwise."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        if not text.startswith(("https://", "http://")):
            raise ValueError("the center address must start with https:// or http://")
        return text

    def save(self, path: Path | None = None) -> Path:
        target = path or (locations.config_dir() / "settings.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        source = path or (locations.config_dir() / "settings.json")
        if source.is_file():
            return cls.model_validate_json(source.read_text(encoding="utf-8"))
        return cls()
