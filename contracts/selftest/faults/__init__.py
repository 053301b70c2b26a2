"""Deliberately faulty servers, one realistic bug each, in modules that mirror `contracts/checks/`;
importing this package registers every fault."""

from contracts.selftest.faults import auth, order, negotiation, v1, v2, errors, hostile  # noqa: F401, I001
from contracts.selftest.faults.base import FAULTS, Fault

__all__ = ["FAULTS", "Fault"]
