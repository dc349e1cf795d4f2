"""Which template tab a tab name stands for: the reader's rule, used by the webhook too."""

from __future__ import annotations

import pytest

from sync.read.tabs import tab_kind, template_tab
from sync.read.validate import find_grid
from sync.schema import computed_tabs, input_tabs


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Pipeline", "input"),
        ("pipeline", "input"),
        ("  PIPELINE ", "input"),
        ("销售管道", "input"),
        ("Commission Plans", "input"),
        ("commission  plans", "input"),  # inner spaces collapse, as in headers
        ("Ｐｉｐｅｌｉｎｅ", "input"),  # full-width letters, as an IME may type them
        ("Funnel", "computed"),
        ("deal health", "computed"),
        ("销售漏斗", "computed"),
        ("Stage Log", "computed"),
        ("Data Issues", "computed"),
        ("Notes", None),
        ("Pipeline 2", None),
        ("", None),
    ],
)
def test_tab_kind(name, kind):
    assert tab_kind(name) == kind


@pytest.mark.parametrize("spec", [*input_tabs(), *computed_tabs()], ids=lambda s: s.tab)
def test_every_template_tab_is_known_by_both_names(spec):
    assert template_tab(spec.tab) == spec
    assert template_tab(spec.zh) == spec


@pytest.mark.parametrize("name", ["Pipeline", " pipeline ", "销售管道", "PIPELINE"])
def test_the_reader_finds_a_tab_under_every_name_the_webhook_calls_input(name):
    grid = [["Deal ID"], ["D-1"]]
    assert tab_kind(name) == "input"
    assert find_grid({name: grid}, template_tab(name)) is grid
