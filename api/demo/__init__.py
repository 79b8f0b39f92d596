"""Deterministic demo data for Ashdown Vale District Council (fictional): generate, seed, read back.

Run ``python -m api.demo seed`` to migrate and fill a database, ``python -m api.demo residents`` to list
the demo residents a tester can play.
"""

from api.demo.generator import DEMO_ELECTOR_NUMBERS, DEMO_OFFICER_PASSWORD, SEED, generate_demo_data
from api.demo.residents import read_demo_residents
from api.demo.seed import count_rows, seed_demo_data

__all__ = [
    "DEMO_ELECTOR_NUMBERS",
    "DEMO_OFFICER_PASSWORD",
    "SEED",
    "count_rows",
    "generate_demo_data",
    "read_demo_residents",
    "seed_demo_data",
]
