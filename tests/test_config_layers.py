"""The configuration's environment layer, against pydantic-settings' reading of it.

`sync/config.py` merges its layers itself (pydantic-settings' import costs every command
asyncio, ssl and dotenv). The environment layer must read `SALESOPS_` variables exactly as
pydantic-settings' `EnvSettingsSource` did with `env_prefix="SALESOPS_"`,
`env_ignore_empty=True` and `allowed_spreadsheets` marked `NoDecode`: that source is the
reference here, on random environments.
"""

from __future__ import annotations

import os
from typing import Annotated, Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import create_model
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from sync.config import Config, environment_values, load_config


class ReferenceBase(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALESOPS_", extra="forbid",
                                      env_ignore_empty=True, validate_default=True)


FIELDS: dict[str, Any] = {
    name: (field.annotation, field.default) for name, field in Config.model_fields.items()
}
FIELDS["allowed_spreadsheets"] = (Annotated[list[str], NoDecode], [])
Reference = create_model("Reference", __base__=ReferenceBase, **FIELDS)

KEYS = sorted(Config.model_fields)


def _spellings(key: str) -> st.SearchStrategy[str]:
    """`SALESOPS_<KEY>` in any mix of cases, or a near miss."""
    name = f"SALESOPS_{key.upper()}"
    return st.one_of(
        st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
            lambda upper: "".join(c.upper() if up else c.lower()
                                  for c, up in zip(name, upper, strict=True))),
        st.just(name + "_X"), st.just(key.upper()),
    )


VALUES = st.one_of(st.just(""), st.just(" "), st.just("3"), st.just("en, zh-CN"),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                  blacklist_characters="\x00"), max_size=8))
ENVIRONMENTS = st.lists(
    st.tuples(st.sampled_from(KEYS).flatmap(_spellings), VALUES), max_size=8,
).map(dict)


@settings(max_examples=300, deadline=None)
@given(ENVIRONMENTS)
def test_the_environment_layer_reads_variables_as_pydantic_settings_did(environment):
    with patch.dict(os.environ, environment, clear=True):
        expected = EnvSettingsSource(Reference)()
        assert environment_values() == expected


def test_overrides_win_over_the_environment_which_wins_over_config_yaml(tmp_path):
    # config.yaml says 5, the environment 7, the override 9; each layer down shows through
    config = tmp_path / "config.yaml"
    config.write_text("debounce_seconds: 5\nmax_delay_seconds: 40\nlog_level: debug\n")
    environment = {"SALESOPS_CONFIG": str(config), "salesops_debounce_seconds": "7",
                   "SALESOPS_MAX_DELAY_SECONDS": ""}
    with patch.dict(os.environ, environment, clear=True):
        assert load_config(debounce_seconds=9).debounce_seconds == 9
        layered = load_config()
    assert layered.debounce_seconds == 7  # the environment, lower-case name and all
    assert layered.max_delay_seconds == 40  # an empty variable leaves config.yaml's value
    assert layered.log_level == "DEBUG"
