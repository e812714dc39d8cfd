"""Test support shared by every test folder: import it one way only, ``from tests.support.<module> import ...``.

Modules:
- ``vaults``: the one test passphrase and the cheap Argon2id profile (in-process and for subprocesses);
- ``people``: identity numbers with a correct check digit, person and card dumps as the models serialise them;
- ``storage``: raw access to a vault file for tamper tests, file snapshots;
- ``damage``: a vault with rows in every table, and one bit flipped in a chosen page;
- ``context``: an app context over a fresh encrypted vault holding people "from the center" (services, UI);
- ``domain``: small builders of domain values (cards, states, forms, rule contexts);
- ``hardware``: reader names of the vsmartcard virtual reader, waiting for pcscd;
- ``card_expectations``: what each simulated card profile must read as.
"""
