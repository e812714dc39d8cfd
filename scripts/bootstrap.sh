#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine, idempotently:
# system packages (PC/SC daemon, vsmartcard virtual reader, PostgreSQL, build deps for pyscard)
# and a virtual environment in .venv with the project and its test tools.
# Sourced by scripts/start and scripts/test; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Receipts and exports: cups (lp, lpstat, cupsd and cups-filters' PDF queue), TrueType CJK fonts reportlab can
# embed (fonts-wqy-zenhei, fonts-wqy-microhei), espeak-ng (reading aloud); poppler-utils and zbar-tools read PDFs
# and QR codes back in tests.
SYS_PKGS=(python3-venv python3-dev gcc swig libpcsclite-dev pcscd vsmartcard-vpcd postgresql
          cups fonts-wqy-zenhei fonts-wqy-microhei espeak-ng poppler-utils zbar-tools)

need=()
for p in "${SYS_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "bootstrap: installing system packages: ${need[*]}" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PY" -m venv "$ROOT/.venv"
fi
stamp="$ROOT/.venv/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
  # --group needs pip >= 25.1 (dependency groups, PEP 735).
  "$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT" --group "$ROOT/pyproject.toml:dev"
  rm -f "$ROOT"/.venv/.installed-*
  touch "$stamp"
fi
