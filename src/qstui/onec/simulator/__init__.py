"""A stand-in 1C base for demos and tests: a real HTTP server that behaves as
``../shared/onec/FORMATS.md`` describes a published standard OData interface.

``schema`` (entity sets and property types of a configuration, from ``onec.mapping``),
``store`` (the objects, their versions and the write rules), ``query`` (``$filter``,
``$orderby``, ``$select``), ``edmx`` (``$metadata``), ``server`` (HTTP, Basic auth,
fault injection), ``seed`` (objects made from plain records, e.g. a demo database's
companies and products).
"""

from qstui.onec.simulator.server import Faults, Simulator
from qstui.onec.simulator.store import Store

__all__ = ["Faults", "Simulator", "Store"]
