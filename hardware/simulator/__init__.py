"""Card simulator: card model, test PSAM, profiles, in-process reader and vpcd (vpicc) client.

Entry points:

* :class:`SimulatedReader` / ``SimulatedReader.with_card(profile, psam=True)``: in-process reader for demo/tests.
* :func:`build_profile`: a profile from plain values (name, ssn, card_number, birth_date, generation, ...).
* :func:`load_profile` / :func:`profile_names`: the shipped profiles (``hardware/simulator/profiles/*.json``).
* :class:`~hardware.simulator.vpicc.VpiccClient`: serve a simulated card to pcscd through vpcd.
"""

from hardware.simulator.card import SimulatedCard, make_card
from hardware.simulator.inprocess import PSAM_SLOT, USER_SLOT, SimulatedReader, SimulatedWatcher
from hardware.simulator.profiles import build_profile, load_profile, merge_profile, profile_names
from hardware.simulator.psam import SimulatedPsam

__all__ = [
    "PSAM_SLOT",
    "USER_SLOT",
    "SimulatedCard",
    "SimulatedPsam",
    "SimulatedReader",
    "SimulatedWatcher",
    "build_profile",
    "load_profile",
    "make_card",
    "merge_profile",
    "profile_names",
]
