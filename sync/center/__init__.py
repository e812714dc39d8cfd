"""The center: a Starlette app (:mod:`sync.center.app`) over a :class:`sync.center.store.Store`
(:mod:`sync.center.pg_store` on PostgreSQL, :mod:`sync.center.sqlite_store` embedded), and
:class:`sync.center.embedded.EmbeddedCenter` (a center in a background thread on a free loopback port)."""
