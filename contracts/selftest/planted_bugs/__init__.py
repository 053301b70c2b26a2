"""Deliberately faulty servers, one realistic bug each, in modules that mirror `contracts/checks/`;
importing this package registers every fault."""

from contracts.selftest.planted_bugs import auth, order, negotiation, v1, v2, errors, hostile  # noqa: F401, I001
from contracts.selftest.planted_bugs.base import PLANTED_BUGS, PlantedBug

__all__ = ["PLANTED_BUGS", "PlantedBug"]
