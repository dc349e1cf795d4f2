"""The Google Sheets backend: gspread over one transport, requests and diffs."""
