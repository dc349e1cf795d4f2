"""Attribute values in the index parts: quoted exactly as the standard library quotes them.

`sync/backends/xlsx/xmledit.py` has its own `quoteattr` so that a sync does not import
`xml.sax.saxutils` (and with it urllib.request, http and ssl); the standard one is the
reference, on every kind of text.
"""

from xml.sax.saxutils import quoteattr as reference

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.backends.xlsx.xmledit import quoteattr


@pytest.mark.parametrize(("value", "quoted"), [
    ("rId7", '"rId7"'),
    ("/xl/worksheets/sheet1.xml", '"/xl/worksheets/sheet1.xml"'),
    ("a & b < c > d", '"a &amp; b &lt; c &gt; d"'),
    ('say "hi"', "'say \"hi\"'"),
    ("""it's "both\"""", '"it\'s &quot;both&quot;"'),
    ("line\nbreak\ttab\rreturn", '"line&#10;break&#9;tab&#13;return"'),
    ("", '""'),
])
def test_quoted_values(value, quoted):
    assert quoteattr(value) == quoted == reference(value)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t;#x") | st.characters()))
def test_quoted_as_the_standard_library_quotes(value):
    assert quoteattr(value) == reference(value)
