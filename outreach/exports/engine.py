"""The export engine: one pass over each dataset, fanned out to every format, written atomically.

Everything is written into ``<out>/<name>.partial/``; only when every file and the signed manifest are
complete is the folder renamed to ``<out>/<name>/``. A cancelled or failed export removes the partial
folder, so nothing is left that looks complete.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from outreach.exports import manifest as mf
from outreach.exports.datasets import COLUMNS, RowBuilder
from outreach.exports.errors import BadExportRequest, ExportCancelled
from outreach.exports.filters import ExportFilter, ExportRequest
from outreach.exports.labels import ANSWER_ZH, DATASET_ZH, KIND_ZH, OUTCOME_ZH
from outreach.exports.protect import new_password, write_encrypted
from outreach.exports.summary import Summary
from outreach.exports.writers import CsvWriter, JsonlWriter, XlsxBook

Progress = Callable[[str, int], None]
Cancel = Callable[[], bool]
PROGRESS_EVERY = 2000


class RecordSource(Protocol):
    """Where rows come from (the laptop's vault, the center's store), already authorised for the request."""

    signer_kind: str  # "device" or "center"
    signer_id: str
    public_key: bytes

    def sign(self, message: bytes) -> bytes: ...

    def records(self, dataset: str, flt: ExportFilter, since: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        """Records of ``dataset`` (see :mod:`outreach.exports.datasets`); only newer than ``since`` when given."""
        ...

    def checkpoint(self) -> dict[str, Any]:
        """Where the records read so far end: the next incremental export starts there. Keys starting with
        ``_`` are kept by the source only (not put in the manifest)."""
        ...

    def record_full_export(self, payload: dict[str, Any]) -> None:
        """Record an ``audit.export`` operation before a full export is written."""
        ...


@dataclass
class ExportResult:
    folder: Path
    export_id: str
    rows: dict[str, int]
    files: list[dict[str, Any]]
    checkpoint: dict[str, Any]
    summary: Summary
    password: str | None = field(default=None, repr=False)


def _summary_lines(s: Summary, request: ExportRequest, rows: dict[str, int]) -> list[tuple[str, Any]]:
    lines: list[tuple[str, Any]] = [
        ("脱敏 Masked", "是 yes" if request.masked else "否 no（完整导出 full export）"),
        ("筛选条件 Filters", str(request.filter.to_json())),
        ("增量导出 Incremental", "是 yes" if request.since else "否 no"),
    ]
    lines += [(f"{DATASET_ZH[d]} 行数 rows", n) for d, n in rows.items()]
    lines += [(f"走访结果 outcome: {OUTCOME_ZH.get(k, k)}", n) for k, n in s.outcomes.most_common()]
    lines += [(f"业务 kind: {KIND_ZH.get(k, k)}", n) for k, n in s.kinds.most_common()]
    lines += [(f"中心答复 answer: {ANSWER_ZH.get(k, k)}", n) for k, n in s.answers.most_common()]
    lines += [(f"期限 deadline: {k} {'逾期 overdue' if o else '临近 coming'}", n)
              for (k, o), n in sorted(s.deadlines_open.items())]
    return lines


def run_export(source: RecordSource, request: ExportRequest, out_dir: Path | str, *,
               progress: Progress | None = None, cancel: Cancel | None = None) -> ExportResult:
    """Write the export; returns where it went. A full export's password is in the result, nowhere else.

    Raises:
        BadExportRequest: the output folder is not usable.
        ExportCancelled: ``cancel()`` answered True (nothing left behind).
        ExportError: the source refused (role, area) before anything was written.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise BadExportRequest("输出文件夹不存在", "the output folder does not exist")
    export_id = str(uuid.uuid4())
    created = dt.datetime.now(dt.UTC)
    today = request.today or dt.date.today()
    name = f"export-{created.strftime('%Y%m%d-%H%M%S')}-{export_id[:8]}"
    staging = out_dir / (name + ".partial")
    staging.mkdir()
    password = None
    writers: list[Any] = []
    try:
        if not request.masked:
            source.record_full_export({"export_id": export_id, "purpose": request.purpose.strip(),
                                       "datasets": list(request.datasets), "filters": request.filter.to_json()})
            password = new_password()
        summary = Summary(today=today)
        builder = RowBuilder(request.filter, request.masked, today, summary)
        plain = io.BytesIO() if not request.masked else None
        book = None
        if "xlsx" in request.formats:
            book = XlsxBook(plain if plain is not None else staging / f"{name}.xlsx", export_id,
                            request.rows_per_sheet)
            writers.append(book)
        rows: dict[str, int] = {}
        files: list[dict[str, Any]] = []
        for dataset in request.datasets:
            cols = COLUMNS[dataset]
            outs: list[Any] = []
            if "csv" in request.formats:
                outs.append(CsvWriter(staging / f"{name}-{dataset}.csv", cols, export_id))
            if "jsonl" in request.formats:
                outs.append(JsonlWriter(staging / f"{name}-{dataset}.jsonl", cols, export_id, dataset))
            writers.extend(outs)
            if book is not None:
                book.start(dataset, cols)
                outs.append(book)
            count = 0
            for row in builder.rows(dataset, source.records(dataset, request.filter, request.since)):
                for w in outs:
                    w.write(row)
                count += 1
                if count % PROGRESS_EVERY == 0:
                    if cancel is not None and cancel():
                        raise ExportCancelled()
                    if progress is not None:
                        progress(dataset, count)
            rows[dataset] = count
            if progress is not None:
                progress(dataset, count)
            for w in outs:
                if w is not book:
                    w.close()
                    writers.remove(w)
                    files.append({"name": w.path.name, "dataset": dataset,
                                  "format": "csv" if isinstance(w, CsvWriter) else "jsonl", "rows": w.rows})
        if cancel is not None and cancel():
            raise ExportCancelled()
        if book is not None:
            book.write_summary(_summary_lines(summary, request, rows))
            book.close()
            writers.remove(book)
            xlsx_path = staging / f"{name}.xlsx"
            if plain is not None:
                assert password is not None
                write_encrypted(plain, password, xlsx_path)
            files.append({"name": xlsx_path.name, "dataset": None, "format": "xlsx", "rows": sum(rows.values())})
        if "pdf" in request.formats:
            from outreach.exports.report_pdf import build_report

            pdf_path = staging / f"{name}-report.pdf"
            build_report(pdf_path, summary, export_id=export_id, request=request, rows=rows, created=created)
            files.append({"name": pdf_path.name, "dataset": None, "format": "pdf", "rows": sum(rows.values())})
        for entry in files:
            entry["sha256"], entry["bytes"] = mf.file_digest(staging / entry["name"])
        checkpoint = source.checkpoint()
        manifest = {
            "export_id": export_id, "created_at": created.isoformat(timespec="seconds"), "today": today.isoformat(),
            "signer": {"kind": source.signer_kind, "id": source.signer_id, "public_key": source.public_key.hex()},
            "datasets": list(request.datasets), "formats": list(request.formats),
            "filters": request.filter.to_json(), "masked": request.masked,
            "encrypted": not request.masked, "purpose": request.purpose.strip() if not request.masked else "",
            "incremental": request.since is not None,
            "since": {k: v for k, v in (request.since or {}).items() if not k.startswith("_")},
            "checkpoint": {k: v for k, v in checkpoint.items() if not k.startswith("_")},
            "rows": rows, "files": files,
        }
        mf.write(staging, mf.sign(manifest, source.sign))
        final = out_dir / name
        staging.rename(final)
    except BaseException as exc:
        for w in writers:
            try:
                w.abort()
            except Exception:  # noqa: BLE001 - cleaning up after the real error
                pass
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, KeyboardInterrupt):
            raise ExportCancelled() from exc
        raise
    return ExportResult(final, export_id, rows, files, checkpoint, summary, password)
