"""Card-read benchmark through the real pcscd + vpcd (run on demand, not a test).

A simulated card is served to pcscd over the vpcd protocol by a separate process (slot 0; the test PSAM in
slot 1 for the third-generation case). For each case we time, over ``--rounds`` reads:

* ``ours``:  ``PcscReader.read_card(reader)`` — connect, SSSE, EF05, EF06 (PSAM auth on 3rd gen), PAN,
  validation into ``CardData``, disconnect;
* ``floor``: a minimal hand-written pyscard (``smartcard.scard``) sequence sending fixed APDUs for the same
  fields with no checks and no parsing beyond slicing (6Cxx on AFL records handled by resending).

APDU counts: commands sent to the user card (PSAM commands not included). Results: ``bench/results/card_read.json`` and a table on stdout.

    scripts/services.sh >/dev/null; .venv/bin/python bench/bench_card_read.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smartcard import scard as sc  # noqa: E402

from hardware.pcsc import PcscReader, PcscTransport  # noqa: E402
from hardware.psam import diversification_factors  # noqa: E402

USER, PSAM = "Virtual PCD 00 00", "Virtual PCD 00 01"
SSSE = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
EF05 = ["00B2012812", "00B2022803", "00B2032806", "00B2052806", "00B2062806", "00B207280B"]
EF06 = ["00B2083014", "00B2093020", "00B20A3003", "00B20B3003", "00B20C3005", "00B20D3006"]
BANK = ["00A4040008A00000033301010100", "80A800000B8309000000000000000001560000"]
AFL = ["00B2010C00", "00B2011400"]  # SFI 1 rec 1, SFI 2 rec 1 (Le=00, the card answers 6Cxx)


def _tx(hcard: Any, apdu: bytes | str, user: bool = True) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    COUNT["user"] += user
    hr, resp = sc.SCardTransmit(hcard, sc.SCARD_PCI_T0, list(raw))
    assert hr == sc.SCARD_S_SUCCESS, sc.SCardGetErrorMessage(hr)
    return bytes(resp[:-2]), (resp[-2] << 8) | resp[-1]


def floor_read(ctx: Any, third_gen: bool) -> dict[str, str]:
    """The floor: fixed APDUs, slicing only."""
    hr, hcard, _ = sc.SCardConnect(
        ctx, USER, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1
    )
    assert hr == sc.SCARD_S_SUCCESS
    out: dict[str, str] = {}
    _tx(hcard, SSSE)
    for apdu in EF05:
        data, _ = _tx(hcard, apdu)
        out[apdu[4:6]] = data[2:].hex()
    if third_gen:
        hr, atr = sc.SCardStatus(hcard)[0], bytes(sc.SCardStatus(hcard)[4])
        hr, hpsam, _ = sc.SCardConnect(ctx, PSAM, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0)
        _tx(hpsam, "00B0960006", user=False)
        r4, _ = _tx(hcard, "0084000008")
        r3 = os.urandom(8)
        factors = diversification_factors(bytes.fromhex(out["01"])[:3].hex(), atr)
        _tx(hpsam, b"\xbf\xde\x07\x0a\x21\x03" + factors + r4, user=False)
        x, _ = _tx(hpsam, b"\x80\xfa\x00\x00\x08" + r3 + b"\x08", user=False)
        _, sw = _tx(hcard, b"\x00\x82\x00\x0a\x10" + x + r3)
        assert sw == 0x9000
        sc.SCardDisconnect(hpsam, sc.SCARD_LEAVE_CARD)
    for apdu in EF06:
        data, _ = _tx(hcard, apdu)
        out[apdu[4:6]] = data[2:].hex()
    for apdu in BANK:
        _tx(hcard, apdu)
    for apdu in AFL:
        data, sw = _tx(hcard, apdu)
        if sw >> 8 == 0x6C:
            data, sw = _tx(hcard, apdu[:-2] + f"{sw & 0xFF:02X}")
        if b"\x5a" in data:
            out["pan"] = data.hex()
    sc.SCardDisconnect(hcard, sc.SCARD_LEAVE_CARD)
    return out


SIMULATOR = (
    "import sys; from hardware.simulator import load_profile, make_card; "
    "from hardware.simulator.vpicc import VpiccClient; "
    "VpiccClient(make_card(load_profile(sys.argv[1])), port=int(sys.argv[2]), reconnect=False).run()"
)
COUNT = {"user": 0}


def _counting(orig: Any) -> Any:
    def transmit_raw(self: PcscTransport, apdu: bytes) -> tuple[bytes, int]:
        if self.reader_name == USER:
            COUNT["user"] += 1
        result: tuple[bytes, int] = orig(self, apdu)
        return result

    return transmit_raw


def run_case(name: str, rounds: int) -> dict[str, Any]:
    """One card profile; the simulated cards run in their own processes, like real cards outside ours."""
    third = name.startswith("v3")
    procs = [subprocess.Popen([sys.executable, "-c", SIMULATOR, name, "35963"], cwd=ROOT)]
    if third:
        procs.append(subprocess.Popen([sys.executable, "-c", SIMULATOR, "psam", "35964"], cwd=ROOT))
    time.sleep(2.0)  # let the cards connect and pcscd notice them
    reader = PcscReader()
    hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    try:
        data = reader.read_card(USER, psam=PSAM if third else None)  # warm-up and sanity
        assert data.personal_data_status == "read"
        assert data.pan
        floor_read(ctx, third)
        fns = {
            "ours": lambda: reader.read_card(USER, psam=PSAM if third else None),
            "floor": lambda: floor_read(ctx, third),
        }
        times: dict[str, list[float]] = {"ours": [], "floor": []}
        apdus: dict[str, int] = {"ours": 0, "floor": 0}
        for i in range(rounds):  # interleaved, alternating order: both see the same machine load
            for label in ("ours", "floor") if i % 2 else ("floor", "ours"):
                n0 = COUNT["user"]
                t = time.perf_counter()
                fns[label]()
                times[label].append((time.perf_counter() - t) * 1000)
                apdus[label] = COUNT["user"] - n0
        results: dict[str, Any] = {
            label: {
                "min_ms": round(min(ts), 3),
                "median_ms": round(statistics.median(ts), 3),
                "p90_ms": round(statistics.quantiles(ts, n=10)[-1], 3),
                "apdus_user_card": apdus[label],
            }
            for label, ts in times.items()
        }
        results["ratio_median"] = round(results["ours"]["median_ms"] / results["floor"]["median_ms"], 3)
        results["ratio_min"] = round(results["ours"]["min_ms"] / results["floor"]["min_ms"], 3)
        results["extra_apdus"] = results["ours"]["apdus_user_card"] - results["floor"]["apdus_user_card"]
        return results
    finally:
        sc.SCardReleaseContext(ctx)
        reader.close()
        for p in procs:
            p.terminate()
            p.wait(5)
        time.sleep(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--cases", nargs="*", default=["v2", "v3"])
    args = parser.parse_args()
    PcscTransport.transmit_raw = _counting(PcscTransport.transmit_raw)  # type: ignore[method-assign]
    import fcntl

    lock = open("/tmp/outreach-vpcd-slots.lock", "a")  # noqa: SIM115 - held for the whole run
    fcntl.flock(lock, fcntl.LOCK_EX)  # the vpcd slots are machine-wide: wait for test runs to finish
    report = {
        "rounds": args.rounds,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "cases": {name: run_case(name, args.rounds) for name in args.cases},
    }
    out = ROOT / "bench" / "results" / "card_read.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        "| card | ours median ms | floor median ms | ratio (median) | ratio (min) | ours APDUs | floor APDUs |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in report["cases"].items():
        print(
            f"| {name} | {r['ours']['median_ms']} | {r['floor']['median_ms']} | {r['ratio_median']} | "
            f"{r['ratio_min']} | {r['ours']['apdus_user_card']} | {r['floor']['apdus_user_card']} |"
        )
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
