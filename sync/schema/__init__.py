"""Tab and column declarations loaded from `sheet_templates/`."""

from sync.schema.declarations import (
    ColumnSpec,
    SettingSpec,
    TabSpec,
    computed_tabs,
    input_tabs,
    settings_specs,
    tab_fields,
    tab_headers,
    tab_spec,
    tabs_read,
)

__all__ = [
    "ColumnSpec",
    "SettingSpec",
    "TabSpec",
    "computed_tabs",
    "input_tabs",
    "settings_specs",
    "tab_fields",
    "tab_headers",
    "tab_spec",
    "tabs_read",
]
