"""The tables of employer bulk activation days at the center (migration ``0003_sessions``), kept beside
:mod:`sync.center.sessions` so that the migration list only names them.

``sessions``
    One row per session: the employer's credit code (fixed by the first plan: a session never moves to
    another employer, so an employer host's view cannot be widened by a later plan), the latest plan, the
    current roster revision.
``session_roster``
    The roster lines of every revision (a revision replaces the previous one whole; older ones are kept).
``session_ops``
    Card operations naming the session (``payload["session_id"]``) with the center's answer: progress is
    counted from them, and the close manifest is compared with them.
``session_closes``
    Every ``session.close`` received, with the manifest check the center made when it arrived.
``session_operators`` (migration ``0009_session_operators``)
    The workers the latest plan lists: they (and the supervisors of the employer's area) pull the session's
    plan, roster, roster people and work, and may do the session's work for its roster people. Sessions
    planned before this migration get their operators with their next plan.
``enrol_code_employers``, ``device_employers``
    The employer an employer host's enrolment code, and then their device, is bound to. Beside the code and
    device rows rather than columns of them: only hosts have one, and the statements every enrolment and
    every request run stay as they were.
"""

from __future__ import annotations

SESSIONS_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE enrol_code_employers (code_hash TEXT PRIMARY KEY, credit_code TEXT NOT NULL)",
    "CREATE TABLE device_employers (device_id TEXT PRIMARY KEY, credit_code TEXT NOT NULL)",
    "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, credit_code TEXT NOT NULL, plan TEXT NOT NULL, "
    "plan_op TEXT NOT NULL, roster_revision BIGINT NOT NULL DEFAULT 0, roster_op TEXT, updated_at TEXT NOT NULL)",
    "CREATE INDEX sessions_employer ON sessions (credit_code)",
    "CREATE TABLE session_roster (session_id TEXT NOT NULL, revision BIGINT NOT NULL, person_id TEXT NOT NULL, "
    "row_no BIGINT NOT NULL, department TEXT NOT NULL, walk_in BIGINT NOT NULL, "
    "PRIMARY KEY (session_id, revision, person_id))",
    "CREATE TABLE session_ops (session_id TEXT NOT NULL, op_id TEXT NOT NULL, person_id TEXT NOT NULL, "
    "kind TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (session_id, op_id))",
    "CREATE INDEX session_ops_person ON session_ops (session_id, person_id)",
    "CREATE TABLE session_closes (op_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, device_id TEXT NOT NULL, "
    "manifest TEXT NOT NULL, check_result TEXT NOT NULL, received_at TEXT NOT NULL)",
    "CREATE INDEX session_closes_session ON session_closes (session_id)",
)

SESSION_OPERATORS_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE session_operators (session_id TEXT NOT NULL, worker_id TEXT NOT NULL, "
    "PRIMARY KEY (session_id, worker_id))",
    "CREATE INDEX session_operators_worker ON session_operators (worker_id)",
)
