"""The tab declarations: one YAML file per tab (see README.md in this folder)."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).parent
