"""Done when: every sentence the code writes through `_()` has a Chinese translation in the
catalogue, with the same named fields, so a zh-CN workbook never falls back to English.

The msgids are found in the code itself (each `_("...")` call whose argument is written
out); words handed to `_()` from a list (metrics, severities, KPI names, a model's failure)
are listed here from where they are defined.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import sync
from sync.compute import predictions
from sync.compute.smart import COMPANY, METRICS
from sync.i18n import catalogue_path, translate, writing_in
from sync.imports.sources import SEPARATORS
from sync.read.validate import ADD_TAB_HINT, _missing_tab

SOURCES = sorted(Path(sync.__file__).parent.rglob("*.py"))


def calls_of_underscore() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "_" and len(node.args) == 1):
                found.append((path, node))
    return found


def written_msgids() -> set[str]:
    return {node.args[0].value for _path, node in calls_of_underscore()
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def failure_messages() -> set[str]:
    """What the customer models raise when they cannot be fitted (shown in a sentence)."""
    tree = ast.parse(Path(predictions.__file__).read_text(encoding="utf-8"))
    return {node.exc.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", None) == "FitFailed"
            and isinstance(node.exc.args[0], ast.Constant)}


# Words handed to `_()` by name rather than written out at the call.
LISTED = {*METRICS, COMPANY, "Won", "Lost", "Yes", "No", "Error", "Warning", ADD_TAB_HINT,
          *failure_messages(), *SEPARATORS.values()}


def catalogue() -> dict[str, str]:
    with catalogue_path("zh-CN").open("rb") as source:
        return {message.id: message.string for message in read_po(source) if message.id}


def fields(text: str) -> list[str]:
    return sorted(name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name)


def test_the_code_hands_underscore_only_written_out_sentences_or_listed_words():
    f_strings = [f"{path.name}:{node.lineno}" for path, node in calls_of_underscore()
                 if isinstance(node.args[0], ast.JoinedStr)]
    assert f_strings == []  # `_(f"...")` could never be found in the catalogue
    assert len(written_msgids()) > 150
    assert len(failure_messages()) == 3


@pytest.mark.parametrize("msgid", sorted(written_msgids() | LISTED))
def test_every_msgid_has_a_chinese_translation_with_the_same_fields(msgid):
    translated = catalogue().get(msgid)
    assert translated, f"no zh-CN translation of {msgid!r}"
    assert fields(translated) == fields(msgid), (msgid, translated)
    if re.search(r"[a-z]{3,}", re.sub(r"\{\w*\}", "", msgid)):  # words: Chinese ones
        assert re.search(r"[\u4e00-\u9fff]", translated), (msgid, translated)


def test_a_backends_hint_to_add_a_missing_tab_is_translated_with_its_command():
    hint = 'run "salesops init --sheet 1AbC" to add it (your other tabs are kept)'
    with writing_in("zh-CN"):
        problem = _missing_tab("Goals", hint).problem
    assert problem == ("缺少 Goals 表，按空表读取：运行“salesops init --sheet 1AbC”即可添加"
                       "（其他工作表保持不变）")
    assert _missing_tab("Goals", hint).problem == (
        "The Goals tab is missing, so it is read as empty: " + hint)


def test_english_is_the_identity():
    assert all(translate(msgid, "en") == msgid for msgid in written_msgids())
