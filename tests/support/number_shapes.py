"""Shapes of numbers that are not card numbers and must come through redaction untouched ('#' is any digit).

Phone numbers, and the council's own references, dates, amounts and postcodes: shared by the redaction
property tests (tests/api/test_redaction.py) and the false-alarm probe (scripts/redaction_probe.py).
"""

from __future__ import annotations

PHONES = [
    "07### ######",
    "07#########",
    "+44 7### ######",
    "+447#########",
    "07### ### ###",
    "(07###) ######",
    "01### ######",
    "01## ### ####",
    "02# #### ####",
    "0300 ### ####",
    "0800 ### ####",
    "(01###) ######",
    "+44 (0)1### ######",
    "01###-######",
    "07###.######",
    "+49 ### ########",
    "+1 ### ### ####",
]
COUNCIL_NUMBERS = [
    "CT########",
    "CT-########",
    "PAY-########",
    "SR-######",
    "AA1-####",
    "AB3-####",
    "AV-######",
    "EC-######",
    "HO-######",
    "############",  # a UPRN
    "##/##/20##",
    "##.##.20##",
    "20##-##-##",
    "£##",
    "£###.##",
    "£#,###.##",
    "##p",
    "TN## #PA",
    "RH## #AB",
    "##-##-##",
    "## ## ##",
    "######",
    "########",  # sort codes and account numbers
    "##:##",
    "####-##",
]
