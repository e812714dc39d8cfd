"""The laptop side of sync.

``sync_once(vault, url=None, *, transport=None, progress=None, cancel=None, ...) -> SyncSummary`` (one sync);
``SyncClient(vault)`` (what the app's "sync now" holds: ``sync_once(progress=(stage, done, total), cancel=)``);
``enrol(vault, url, code)``; offline files in :mod:`sync.transfer`.
"""

from sync.client.client import CenterClient, Conflict, Progress, SyncClient, SyncSummary, enrol, sync_once

__all__ = ["CenterClient", "Conflict", "Progress", "SyncClient", "SyncSummary", "enrol", "sync_once"]
