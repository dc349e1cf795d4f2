"""SalesOps Sheets: the sync engine behind the spreadsheet."""

__version__ = "0.1.0"
