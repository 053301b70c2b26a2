"""Where the mock keeps its state, journal and faults: in this process, or in Redis for a fleet."""

from mockserver.backends.base import Admission, Backend, StoreUnavailable
from mockserver.backends.memory import InProcessBackend

__all__ = ["Admission", "Backend", "InProcessBackend", "StoreUnavailable"]
