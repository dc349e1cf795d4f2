"""The local .xlsx backend: read with calamine, write losslessly into the zip."""
