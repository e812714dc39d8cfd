"""Supervisor exports (headless): masked by default, streamed, atomic, signed and verifiable.

* :mod:`filters` what to export; :mod:`datasets` columns and rows (masking applied there);
* :mod:`writers` CSV (UTF-8 BOM), JSON Lines, XLSX (constant memory); :mod:`report_pdf` the PDF report;
* :mod:`engine` one pass per dataset into ``<name>.partial/``, renamed when complete;
* :mod:`manifest` the signed manifest and ``export verify``; :mod:`protect` encrypted full exports;
* :mod:`vault_source` the laptop's records; the center's are in :mod:`sync.center.export_source`.
"""

from outreach.exports.engine import ExportResult, RecordSource, run_export
from outreach.exports.errors import (
    BadExportRequest,
    ExportCancelled,
    ExportError,
    ExportRefused,
    VerifyFailed,
)
from outreach.exports.filters import ExportFilter, ExportRequest
from outreach.exports.manifest import verify_export

__all__ = [
    "BadExportRequest",
    "ExportCancelled",
    "ExportError",
    "ExportFilter",
    "ExportRefused",
    "ExportRequest",
    "ExportResult",
    "RecordSource",
    "VerifyFailed",
    "run_export",
    "verify_export",
]
