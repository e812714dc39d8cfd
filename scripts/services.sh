#!/usr/bin/env bash
# Starts the services the tests need, idempotently, and prints the environment to use them:
#  - pcscd with the vsmartcard virtual reader (vpcd listens on 127.0.0.1:35963 and :35964)
#  - a PostgreSQL server with a database "outreach_test" for the center's PostgreSQL store
#  - cupsd (file-backed test queues allowed, no job files kept) for the receipt print tests
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Only the final "export ..." line goes to stdout (the caller evaluates it). Everything the services
# print themselves (pg_ctlcluster says "Removed stale pid file." after an unclean stop) goes to
# stderr, and the daemons must not inherit the caller's stdout pipe, or the caller would wait on it
# for ever: start_services runs with stdout on stderr and stdin on /dev/null.
start_services() {
  if ! pgrep -x pcscd >/dev/null 2>&1; then
    $SUDO mkdir -p /run/pcscd
    # A socket left by a daemon that died would end the wait below before the new one listens.
    $SUDO rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
    $SUDO pcscd >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
  fi

  # CUPS for the receipt print tests: a queue may print to a file (FileDevice Yes), and a printed job's
  # data file does not stay in the spool (PreserveJobFiles No: a receipt holds personal data).
  if command -v cupsd >/dev/null 2>&1; then
    cups_changed=0
    grep -q '^FileDevice Yes' /etc/cups/cups-files.conf 2>/dev/null \
      || { echo 'FileDevice Yes' | $SUDO tee -a /etc/cups/cups-files.conf >/dev/null; cups_changed=1; }
    grep -q '^PreserveJobFiles No' /etc/cups/cupsd.conf 2>/dev/null \
      || { echo 'PreserveJobFiles No' | $SUDO tee -a /etc/cups/cupsd.conf >/dev/null; cups_changed=1; }
    # A test backend whose printer jams on every job (tests/receipts: a jam through the real queue).
    jam_backend="$(dirname "${BASH_SOURCE[0]}")/cups/outreach-test-jam"
    if [ -d /usr/lib/cups/backend ] && ! cmp -s "$jam_backend" /usr/lib/cups/backend/outreach-test-jam; then
      $SUDO install -o root -g root -m 0755 "$jam_backend" /usr/lib/cups/backend/outreach-test-jam
    fi
    cups_pid=$(pgrep -x cupsd | head -1 || true)
    if [ -n "$cups_pid" ] && [ "$cups_changed" = 1 ]; then $SUDO kill -HUP "$cups_pid"; sleep 1; fi
    if [ -z "$cups_pid" ]; then $SUDO cupsd >/dev/null 2>&1 || true; fi
    for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
  fi

  PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    pg_lsclusters -h 2>/dev/null | grep -q . || $SUDO pg_createcluster "$PGVER" main >/dev/null
    # After an unclean stop the socket lock names a dead PID, which may by now be another process's.
    pgrep -x postgres >/dev/null 2>&1 || $SUDO rm -f /var/run/postgresql/.s.PGSQL.*.lock
    $SUDO pg_ctlcluster "$PGVER" main start
  fi
  run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- psql -qAt "$@"; else sudo -u postgres psql -qAt "$@"; fi; }
  for _ in $(seq 1 100); do run_pg -c 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
  run_pg -c "select 1 from pg_roles where rolname='outreach'" | grep -q 1 \
    || run_pg -c "create role outreach login password 'outreach-test' createdb" >/dev/null
  run_pg -c "select 1 from pg_database where datname='outreach_test'" | grep -q 1 \
    || run_pg -c "create database outreach_test owner outreach" >/dev/null
}
start_services >&2 </dev/null

PGPORT=$(pg_lsclusters -h | awk '$4=="online"{print $3; exit}')
[ -n "$PGPORT" ] || { echo "services: PostgreSQL did not come online" >&2; exit 1; }
echo "export OUTREACH_TEST_PG_URL=postgresql://outreach:outreach-test@127.0.0.1:${PGPORT}/outreach_test"
