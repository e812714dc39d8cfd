"""Fixtures of the receipt tests: a real vault (one person without a card) and the receipt service over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outreach.services.receipts import ReceiptService
from tests.receipts.receipt_support import PERSON, record_every_kind
from tests.support.context import make_context
from tests.support.vaults import PASSPHRASE


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Any]:
    context = make_context(tmp_path / "laptop")
    context.session.unlock(PASSPHRASE)
    yield context
    context.close()


@pytest.fixture
def person_id(ctx: Any) -> str:
    return str(ctx.people.find(PERSON)[0].person_id)


@pytest.fixture
def every_kind(ctx: Any, person_id: str) -> dict[str, Any]:
    return record_every_kind(ctx.session.vault, person_id)


@pytest.fixture
def receipts(ctx: Any) -> ReceiptService:
    return ReceiptService(ctx.session, lambda: ctx.settings)
