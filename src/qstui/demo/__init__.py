"""Demo data: realistic Russian clients, deals and interactions (``qstui demo``)."""

from qstui.demo.generator import SIZES, STAGES, DemoResult, Size, check_schema, generate
from qstui.demo.staff import LOGINS, PASSWORD

__all__ = [
    "LOGINS",
    "PASSWORD",
    "SIZES",
    "STAGES",
    "DemoResult",
    "Size",
    "check_schema",
    "generate",
]
