"""Employer bulk activation days (Art. 15 para. 2; Art. 9, 12), the headless part: reading the employer's
roster file, mapping its headers, validating every row and previewing what an import would do, and the close
report. Nothing here writes to the vault: the service (:mod:`outreach.services.bulkdays`) does, once the
worker confirms. No textual here (import contracts)."""
