"""Read and validate the input tabs: grids in, `Tables` and `Data Issues` out."""

from sync.read.validate import validate_workbook

__all__ = ["validate_workbook"]
