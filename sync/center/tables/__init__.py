"""The center's SQL, one module per table or tight group of tables; each function is one step in a transaction.

Every statement the store (:mod:`sync.center.sqlstore`) and the decisions (:mod:`sync.center.oplogic`) run is
here, written once with ``?`` placeholders, as small typed functions that take the transaction (:class:`Tx`)
and never commit or take a lock themselves: the callers keep the lock order. Tables with a module of their own
elsewhere stay there: the Merkle log (:mod:`sync.center.merkle_log`), sessions (:mod:`sync.center.sessions`),
enrolment guesses (:mod:`sync.center.throttle`), the staged load (:mod:`sync.center.loader`); the schema is
:mod:`sync.center.migrations`.

- :mod:`.keys`: the center's private keys in ``meta``
- :mod:`.enrolment`: ``enrol_codes``, ``enrol_code_employers``
- :mod:`.devices`: ``devices``, ``device_employers``
- :mod:`.nonces`: ``nonces``
- :mod:`.subjects`: ``subjects`` (a person's record and cards, or a session's version)
- :mod:`.operations`: ``operations``
- :mod:`.changes`: ``changes`` (what devices pull)
- :mod:`.assignments`: ``assignments``
"""
