"""One module per part of CONTRACT.md, each a set of probing rules; importing this package registers
every rule of the judge (the rules of one exchange and of pairs too), the parts in the order of PARTS.

The order of a report is declared here and in `contracts.registry.MOMENTS`, not by an import line:
the probing rules part by part, then the rules of one exchange, then those of pairs.
"""

from __future__ import annotations

import importlib

PARTS = (
    "token_endpoint",
    "auth",
    "order",
    "negotiation",
    "v1",
    "v2",
    "cross_version",
    "errors",
    "hostile",
    "schema",
    "known_data",
)
"""The parts of the contract, in the order their probing rules run and are reported."""

for _part in PARTS:
    importlib.import_module(f"contracts.checks.{_part}")
importlib.import_module("contracts.exchange_rules")
importlib.import_module("contracts.pair_rules")
