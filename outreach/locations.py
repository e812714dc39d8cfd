"""Where things live on disk: the only module that asks platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "hainan-outreach"


def data_dir() -> Path:
    """Folder for the vault (override with OUTREACH_DATA_DIR)."""
    override = os.environ.get("OUTREACH_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("OUTREACH_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_vault_path() -> Path:
    return data_dir() / "vault.db"


def center_data_dir() -> Path:
    """Folder for the embedded center's SQLite store and keys (single-machine default)."""
    return data_dir() / "center"


def pictures_dir() -> Path:
    """Where photos are looked for when no camera or scanner folder is set: Pictures, else the home folder."""
    pictures = Path(platformdirs.user_pictures_dir())
    return pictures if pictures.is_dir() else Path.home()
