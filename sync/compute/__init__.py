"""Pure computations: validated tables and settings in, computed tab tables out.

No module here imports an I/O library; `As Of` always comes in as a parameter.
"""
