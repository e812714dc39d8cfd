"""Errors of the services layer.

Tree::

    ServiceError                 base; ``key`` names a message in ``outreach.i18n``
    ├── WrongPassphrase          the passphrase does not open the vault (``wait_seconds`` before the next try)
    ├── VaultMissing             no vault file yet (first start)
    ├── FirstPageDamaged         the passphrase is right but the vault's first page is damaged (it did not open)
    ├── VaultExists              a vault is already there (creating would overwrite it)
    ├── WeakPassphrase           a new passphrase is too weak or the two entries differ
    ├── NotUnlocked              a use case was called before the vault was opened
    ├── Unavailable              a piece (reader, center, sync) is not there; the app goes on without it
    ├── NotFound                 the person (or operation) does not exist
    └── InvalidSettings          settings out of bounds (``fields``: which ones); nothing saved

Messages are keys into the catalogues, never text: rendering stays in the UI. No error ever carries a
passphrase, a key or a PIN.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class. ``key`` is a message key; ``params`` fill its placeholders."""

    key = "error.generic"

    def __init__(self, key: str | None = None, *, detail: tuple[str, str] | None = None, **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        self.detail = detail
        """(zh, en) words of a lower layer to show under the message, when it has some."""
        super().__init__(self.key)


class WrongPassphrase(ServiceError):
    """Raised by ``unlock`` when the passphrase is wrong; the caller should wait ``wait_seconds``."""

    key = "unlock.wrong"

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(seconds=int(round(wait_seconds)))
        self.wait_seconds = wait_seconds


class VaultMissing(ServiceError):
    """Raised by ``unlock`` when there is no vault file yet."""

    key = "unlock.missing"


class FirstPageDamaged(ServiceError):
    """Raised by ``unlock`` when the passphrase is right (``intact`` of the ``others`` later pages verify) but
    page 1 is damaged, so the vault cannot open; ``SalvageService`` can still save what verifies."""

    key = "unlock.first_page"

    def __init__(self, others: int = 0, intact: int = 0) -> None:
        super().__init__(others=others, intact=intact)
        self.others, self.intact = others, intact


class VaultExists(ServiceError):
    """Raised by ``create_vault`` when a vault file is already there."""

    key = "unlock.exists"


class WeakPassphrase(ServiceError):
    """Raised by ``create_vault`` when the new passphrase is too weak or the two entries differ."""

    key = "unlock.weak"


class NotUnlocked(ServiceError):
    """Raised when a use case needs the vault and it is not open."""

    key = "error.locked"


class Unavailable(ServiceError):
    """Raised when an optional piece (reader, center, sync client) is missing or down."""

    key = "error.unavailable"


class NotFound(ServiceError):
    """Raised when a person or an operation does not exist."""

    key = "error.not_found"


class InvalidSettings(ServiceError):
    """Raised by ``save_settings`` when the settings model refuses a value; ``fields`` names the settings."""

    key = "settings.invalid"

    def __init__(self, fields: list[str]) -> None:
        super().__init__()
        self.fields = fields
