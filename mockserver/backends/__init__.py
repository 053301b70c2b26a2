"""Where the mock keeps its state, journal and faults: in this process (`memory`), or in Redis for a
fleet (`redis`), behind one interface (`base`)."""

from mockserver.backends.base import Admission, Backend
from mockserver.backends.memory import InProcessBackend

__all__ = ["Admission", "Backend", "InProcessBackend"]
