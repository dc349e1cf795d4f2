"""The demo business: a realistic sample workbook, made from a seed."""
