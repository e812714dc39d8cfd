"""Receipts the visited person keeps (受理回执, Art. 38): what was done, what happens next, how to check it.

Headless (no UI toolkit). ``content`` builds a :class:`~outreach.receipts.content.Receipt` from one operation
of the vault, with its words from the message catalogues and its dates from the domain; ``code`` signs and
verifies the printed code and QR payload; ``pdf`` renders it (A5 or an 80 mm roll, CJK font embedded);
``printing`` feeds CUPS from memory; ``speech`` reads it aloud with espeak-ng; ``center`` answers a
verification with the center's knowledge (at the center, or from an enrolled laptop over ``/v1/receipt``);
``local`` on a laptop alone. Errors: :mod:`outreach.receipts.errors`.
"""
