"""Backends: the only places a spreadsheet library is imported."""
