"""UI benchmark (run on demand, not a test): the worker's waits, measured on a vault of 100,000 people.

1. launch -> unlock screen: a fresh process (interpreter start, imports, services, app) until the unlock
   screen is mounted (headless driver), as the parent process sees it.
2. passphrase -> home screen: Enter on the unlock screen until the home screen shows the day's summary
   (Argon2id key derivation, opening the vault, the summary query).
3. keystroke -> search results: the last key of a query until its results are in the table (name prefix,
   pinyin initials, last digits of an identity number, card number).

Targets: < 1 s, < 1 s, < 100 ms. Results: ``bench/results/ui.json``.

    .venv/bin/python bench/bench_ui.py                  # 100,000 people (the seeded vault is cached in /tmp)
    .venv/bin/python bench/bench_ui.py --people 2000    # quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSPHRASE = "bench-only-passphrase"
TARGETS = {"launch_to_unlock_s": 1.0, "passphrase_to_home_s": 1.0, "keystroke_to_results_ms": 100.0}

CHILD = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from outreach.services.context import build_context
from outreach.settings import Settings
from outreach.ui.app import OutreachApp
from outreach.ui.screens.unlock import UnlockScreen

async def main():
    ctx = build_context(settings=Settings(vault_path={vault!r}))
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0)
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, UnlockScreen) or not app.screen.is_mounted:
            await pilot.pause(0.005)
        print("READY", flush=True)
    ctx.close()

asyncio.run(main())
"""


def build_vault(people: int, seed: int) -> Path:
    """A seeded vault, cached in the temp folder between runs (it takes minutes at 100,000 people)."""
    from outreach.services.seed import seed_people
    from storage import Vault

    path = Path(tempfile.gettempdir()) / f"outreach-bench-ui-{people}-{seed}.db"
    marker = path.with_suffix(".done")
    if path.exists() and marker.exists():
        return path
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    started = time.perf_counter()
    vault = Vault.create(path, PASSPHRASE, worker_id="bench")
    last = [started]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(f"  seeded {done}/{total} people", file=sys.stderr, flush=True)

    seed_people(vault, people, seed=seed, batch=1000, progress=progress)
    vault.close()
    marker.write_text("ok")
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def measure_launch(vault: Path, runs: int) -> list[float]:
    out = []
    code = CHILD.format(root=str(ROOT), vault=str(vault))
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the child exits by itself once READY is printed
        elapsed = time.perf_counter() - started
        proc.wait(timeout=60)
        if line.strip() != "READY":
            raise RuntimeError("the app did not reach the unlock screen")
        out.append(elapsed)
    return out


def queries_for(vault_path: Path) -> dict[str, str]:
    from storage import Vault

    vault = Vault.open(vault_path, PASSPHRASE)
    try:
        op = next(o for o in vault.operations() if o.kind == "person.register")
        person = vault.get_person(op.subject)
        assert person is not None
        card_number = None
        for o in vault.operations():
            number = (o.payload.get("cards") or {}).get("cards", [{}])[-1].get("card_number") if o.kind.startswith(
                "card.") else None
            if number:
                card_number = number
                break
    finally:
        vault.close()
    from pypinyin import Style, lazy_pinyin

    initials = "".join(lazy_pinyin(person.name, style=Style.FIRST_LETTER))
    queries = {"name_prefix": person.name[:2], "pinyin_initials": initials,
               "id_last_digits": person.document.number[-6:]}
    if card_number:
        queries["card_number"] = card_number
    return queries


async def measure_in_app(
    vault: Path, runs: int, queries: dict[str, str]
) -> tuple[list[float], dict[str, list[float]], list[float]]:
    from textual.widgets import Input
    from textual.worker import WorkerCancelled

    from outreach.services.context import build_context
    from outreach.settings import Settings
    from outreach.ui.app import OutreachApp
    from outreach.ui.screens.home import HomeScreen
    from outreach.ui.screens.person import PersonScreen
    from outreach.ui.screens.search import SearchScreen
    from outreach.ui.widgets.home.day_summary import DaySummary

    unlock_times: list[float] = []
    person_times: list[float] = []
    search_times: dict[str, list[float]] = {k: [] for k in queries}
    for run in range(runs):
        ctx = build_context(settings=Settings(vault_path=vault))
        app = OutreachApp(ctx, blink=False, auto_sync_minutes=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.screen.query_one("#passphrase", Input).value = PASSPHRASE
            started = time.perf_counter()
            await pilot.press("enter")
            deadline = started + 60
            while not (isinstance(app.screen, HomeScreen) and str(app.screen.query_one(DaySummary).render())):
                if time.perf_counter() > deadline:
                    raise RuntimeError("the home screen did not appear")
                await pilot.pause(0.002)
            unlock_times.append(time.perf_counter() - started)
            await pilot.press("s")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            box = screen.query_one("#query", Input)
            for name, query in queries.items():
                for _ in range(3 if run == 0 else 5):
                    box.value = query[:-1]
                    box.cursor_position = len(box.value)
                    with contextlib.suppress(WorkerCancelled):  # the previous query's search was superseded
                        await app.workers.wait_for_complete()
                    await pilot.pause()
                    started = time.perf_counter()
                    last = query[-1]
                    if last.isdigit() or (last.isascii() and last.islower()):
                        await pilot.press(last)  # a real key event through the app
                    else:
                        box.insert_text_at_cursor(last)  # a CJK character typed through an input method
                    deadline = started + 10
                    while screen.shown_query != query and time.perf_counter() < deadline:
                        await pilot.pause(0.001)
                    if screen.shown_query != query:
                        raise RuntimeError(f"no results for {name}")
                    search_times[name].append(screen.shown_at - started)
            # Enter on the last results: the person page with cards and history.
            started = time.perf_counter()
            app.open_person(app.ctx.people.find(queries["card_number" if "card_number" in queries
                                                       else "id_last_digits"])[0].person_id)
            while not (isinstance(app.screen, PersonScreen) and app.screen.page is not None):
                await pilot.pause(0.002)
            person_times.append(time.perf_counter() - started)
        ctx.close()
    return unlock_times, search_times, person_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ui.json")
    args = parser.parse_args()

    vault = build_vault(args.people, args.seed)
    queries = queries_for(vault)
    launch = measure_launch(vault, args.runs)
    unlock, searches, person = asyncio.run(measure_in_app(vault, args.runs, queries))
    all_search = [v for values in searches.values() for v in values]
    result: dict[str, Any] = {
        "people": args.people,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        "launch_to_unlock_s": {"median": round(statistics.median(launch), 3), "max": round(max(launch), 3),
                               "runs": [round(v, 3) for v in launch]},
        "passphrase_to_home_s": {"median": round(statistics.median(unlock), 3), "max": round(max(unlock), 3),
                                 "runs": [round(v, 3) for v in unlock]},
        "keystroke_to_results_ms": {
            "median": round(statistics.median(all_search) * 1000, 1),
            "max": round(max(all_search) * 1000, 1),
            "by_query": {k: round(statistics.median(v) * 1000, 1) for k, v in searches.items()},
        },
        "open_person_page_ms": {"median": round(statistics.median(person) * 1000, 1),
                                "max": round(max(person) * 1000, 1)},
        "targets": TARGETS,
    }
    result["met"] = {
        "launch_to_unlock_s": result["launch_to_unlock_s"]["median"] < TARGETS["launch_to_unlock_s"],
        "passphrase_to_home_s": result["passphrase_to_home_s"]["median"] < TARGETS["passphrase_to_home_s"],
        "keystroke_to_results_ms": result["keystroke_to_results_ms"]["median"] < TARGETS["keystroke_to_results_ms"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
