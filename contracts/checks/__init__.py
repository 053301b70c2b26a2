"""One module per part of CONTRACT.md; importing this package registers every rule, in report order.

`observed` comes last: its rules judge every answer the others received.
"""

from contracts.checks import auth, order, negotiation, v1, v2  # noqa: F401, I001
from contracts.checks import cross_version, errors, hostile, schema, known_data, observed  # noqa: F401, I001
