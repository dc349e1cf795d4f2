"""Read and validate the input tabs: grids in, `Tables` and `Data Issues` out.

`validate_workbook` loads pandas, so it is imported when first used: the xlsx backend
needs only the header matching of `sync.read.headers`, and a command starts reading its
workbook before pandas has loaded (`sync.cli.read_early`).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.read.validate import validate_workbook

__all__ = ["validate_workbook"]


def __getattr__(name: str) -> Any:
    if name == "validate_workbook":
        from sync.read.validate import validate_workbook

        return validate_workbook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
