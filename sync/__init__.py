"""Sync between the laptops and the center.

Design. A laptop's vault is an append-only, hash-chained, Ed25519-signed log of operations; sync exchanges
operations, never rows. ``sync_once`` pushes the outbox in device order (zstd JSON, each request signed by the
device key with a nonce and a 5-minute window) and the center checks each operation in a database transaction:
known op_id -> the same answer again; then hash, signature, worker/device match, seq and prev_hash continuity;
then the domain's ``decide()`` against the center's own PersonCards (the center is the authority: the laptop's
status is provisional). A concurrent card-status change is applied only when legal precedence favours it,
otherwise it is refused for a person to settle (never last-writer-wins); person edits over a newer base are
applied and flagged ``applied_with_conflict`` with who/when. Every recorded operation and outcome is a leaf of
an RFC 6962 Merkle log; each answer carries a signed checkpoint plus a consistency proof from the laptop's last
checkpoint, so a rewritten center history is refused. Unique op_id and (device_id, seq), advisory locks (log,
device, subject) on PostgreSQL and BEGIN IMMEDIATE on SQLite make it safe to run several stateless center
processes and to retry anything after a cut at any byte. Pull pages are applied with their checkpoint in one
vault transaction. Without a network the same push travels as a file encrypted to the center's X25519 key and
signed by the device; the center's reply is signed. See :mod:`sync.protocol` for the wire format.
"""
