"""Read the cell values of workbook tabs: the package index, shared strings, date styles.

After the archive's directory has passed the unpack limits (`rawzip.check_unpack_limits`),
each worksheet is scanned (`prescan`): calamine reads it when the scan finds nothing
calamine would misread or over-allocate for, the streaming reader (`cells`) otherwise,
and also whenever calamine refuses a tab or panics on it. A tab whose stored bytes
passed the scan before is not scanned again (`scan_memory`).
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TypeVar
from xml.parsers import expat

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from sync.a1 import column_letter
from sync.backends.grid_shape import dense_grid
from sync.backends.xlsx.cells import (
    MAIN_NAMESPACES,
    SheetXmlError,
    decode_escapes,
    read_sheet,
    streaming_parser,
)
from sync.backends.xlsx.formats import date_styles
from sync.backends.xlsx.guard import strict_refusal
from sync.backends.xlsx.prescan import CHUNK, calamine_can_read
from sync.backends.xlsx.rawzip import check_unpack_limits, raw_data
from sync.backends.xlsx.read_ahead import ReadAhead
from sync.backends.xlsx.scan_memory import ScanMemory
from sync.backends.xlsx.sheet_parser import BackgroundParser
from sync.collector import collector_paused
from sync.contract.grid import Grid
from sync.cpus import usable_cpus
from sync.errors import NotAWorkbookError, WorkbookError
from sync.schema.tabs import find_tab

T = TypeVar("T")

# Two parsing threads from this much worksheet XML (about 100,000 cells): below it, opening
# calamine's second copy of the workbook costs more than the second thread saves.
TWO_PARSERS_FROM = 8 * 1024**2

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"


class WorkbookReader:
    """An open .xlsx: its tabs by name, and the values of any of them."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        label: str,
        path: Path | None = None,
        memory: ScanMemory | None = None,
    ):
        self.archive = archive
        self.label = label
        self.path = path
        self.memory = memory  # the tabs the scan passed before, by content
        self._calamine: CalamineWorkbook | None = None
        names = set(archive.namelist())
        office = _relationships(archive, "_rels/.rels", "")
        workbook = next((t for kind, t in office.values() if kind == "officeDocument"), None)
        if workbook is None or workbook not in names:
            raise NotAWorkbookError(
                f"{label} has no workbook part: open it in Excel or LibreOffice and save it "
                "again as .xlsx."
            )
        root = ET.fromstring(archive.read(workbook))
        namespace = root.tag[1:].partition("}")[0]
        if namespace == STRICT_NAMESPACE:
            raise strict_refusal(label)
        if namespace not in MAIN_NAMESPACES:
            raise NotAWorkbookError(
                f"{label} is not a spreadsheet workbook (its main part is "
                "something else): give the path of an .xlsx."
            )
        parts = _relationships(
            archive,
            posixpath.join(
                posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"
            ),
            posixpath.dirname(workbook),
        )
        self.date1904 = any(
            element.get("date1904") in ("1", "true")
            for element in root.iter(f"{{{namespace}}}workbookPr")
        )
        self.sheets: dict[str, str] = {}
        for element in root.iter(f"{{{namespace}}}sheet"):
            rel_id = next(
                (element.get(f"{{{ns}}}id") for ns in REL_NAMESPACES if element.get(f"{{{ns}}}id")),
                None,
            )
            kind, target = parts.get(rel_id or "", ("", ""))
            if kind == "worksheet" and target in names:
                self.sheets[element.get("name", "")] = target
        self._shared_part = next((t for k, t in parts.values() if k == "sharedStrings"), None)
        self._styles_part = next((t for k, t in parts.values() if k == "styles"), None)
        self._shared: list[str] | None = None
        self._date_kinds: dict[int, int] | None = None

    def grid(self, name: str) -> Grid:
        """The grid of the worksheet named `name` (a `TabGrid`)."""
        if self.path is not None and self._calamine_may_read(name):
            try:
                return self._calamine_grid(self._parse(name))
            except CalamineError:
                pass  # the streaming reader says what is wrong, in the owner's words
            except BaseException as error:
                _unless_panic(error)
        return self._streaming_grid(name)

    def grids(self, names: Sequence[str]) -> dict[str, Grid]:
        """The grid of each worksheet named, read as `grid` reads it, and failing as a
        `grid` call per name in turn would.

        calamine parses the tabs the scan passes on other threads (`BackgroundParser`)
        while this one scans the next tabs, reads the others with the streaming reader
        and shapes the tabs already parsed. A large workbook on a machine with a core to
        spare gets two parsing threads, each handed the next tab when its share of the
        XML so far is the smaller: a large Orders tab parses beside the other tabs.
        """
        distinct = list(dict.fromkeys(names))
        if self.path is None or len(distinct) < 2:
            return {name: self.grid(name) for name in distinct}
        path = str(self.path)
        sizes = {name: self.archive.getinfo(self.sheets[name]).file_size for name in distinct}
        threads = 2 if sum(sizes.values()) >= TWO_PARSERS_FROM and usable_cpus() > 1 else 1
        with ExitStack() as stack:
            parsers = [
                stack.enter_context(BackgroundParser(lambda: CalamineWorkbook.from_path(path)))
                for _ in range(threads)
            ]
            shares = [0] * threads  # bytes of XML handed to each parser
            parser_of: dict[str, BackgroundParser] = {}
            verdicts: dict[str, bool | Exception] = {}
            for name in distinct:
                try:
                    verdicts[name] = self._calamine_may_read(name)
                except Exception as error:  # raised in turn, after the tabs before it
                    verdicts[name] = error
                    break
                if verdicts[name]:
                    least = shares.index(min(shares))
                    shares[least] += sizes[name]
                    parser_of[name] = parsers[least]
                    parser_of[name].parse(name)
            grids = {}
            for name in distinct:
                verdict = verdicts[name]
                if isinstance(verdict, Exception):
                    raise verdict
                if verdict:
                    try:
                        grids[name] = self._calamine_grid(parser_of[name].sheet(name))
                        continue
                    except CalamineError:
                        pass  # as in `grid`
                    except BaseException as error:
                        _unless_panic(error)
                grids[name] = self._streaming_grid(name)
            return grids

    def _date_styles(self) -> dict[int, int]:
        if self._date_kinds is None:
            styles = self._styles_part
            present = styles is not None and styles in self.archive.namelist()
            xml = self.archive.read(styles) if styles and present else None
            self._date_kinds = date_styles(xml)
        return self._date_kinds

    def _calamine_may_read(self, name: str) -> bool:
        date_kinds = self._date_styles()
        part = self.sheets[name]
        info = self.archive.getinfo(part)
        key = self._scan_key(info, date_kinds)
        if key is not None and self.memory is not None and self.memory.passed(key):
            return True
        with self.archive.open(part) as stream:
            if info.file_size <= CHUNK:
                passed = calamine_can_read(stream, date_kinds)
            else:
                with ReadAhead(stream, CHUNK) as blocks:  # inflated beside the scan
                    passed = calamine_can_read(blocks, date_kinds)
        if passed and key is not None and self.memory is not None:
            self.memory.remember(key)
        return passed

    def _scan_key(self, info: zipfile.ZipInfo, date_kinds: dict[int, int]) -> str | None:
        """The name a pass of this tab's scan is remembered under (None: not remembered)."""
        if self.memory is None or self.path is None:
            return None
        try:
            with self.path.open("rb") as handle:
                stored = raw_data(handle, info)
        except (OSError, zipfile.BadZipFile):
            return None  # replaced since it was opened: scanned, and not remembered
        return self.memory.key(stored, info.compress_type, date_kinds)

    def _streaming_grid(self, name: str) -> Grid:
        date_kinds = self._date_styles()
        if self._shared is None:
            self._shared = self._read_shared_strings()
        with self.archive.open(self.sheets[name]) as stream:
            try:
                return read_sheet(stream, self._shared, date_kinds, self.date1904)
            except SheetXmlError as error:
                raise NotAWorkbookError(
                    f"{self.label}, tab {name}: cannot be read ({error}); open the workbook, "
                    "check the tab and save it again."
                ) from error

    def _parse(self, name: str) -> CalamineSheet:
        if self._calamine is None:
            self._calamine = CalamineWorkbook.from_path(str(self.path))
        return self._calamine.get_sheet_by_name(name)

    def _calamine_grid(self, sheet: CalamineSheet) -> Grid:
        merges = [
            f"{_a1(top, left)}:{_a1(bottom, right)}"
            for (top, left), (bottom, right) in sheet.merged_cell_ranges or []
        ]
        with collector_paused():
            return dense_grid(sheet.to_python(skip_empty_area=False), merges)

    def close(self) -> None:
        """Release calamine's copy of the workbook."""
        if self._calamine is not None:
            self._calamine.close()

    def _read_shared_strings(self) -> list[str]:
        part = self._shared_part
        if part is None or part not in self.archive.namelist():
            return []
        with self.archive.open(part) as stream:
            try:
                return shared_strings(stream)
            except (expat.ExpatError, SheetXmlError) as error:
                raise NotAWorkbookError(
                    f"{self.label}: its shared strings cannot be read ({error}); open the "
                    "workbook in Excel or LibreOffice and save it again."
                ) from error


def shared_strings(stream: IO[bytes]) -> list[str]:
    """The shared strings table: each `<si>` as its text (rich runs joined, no phonetics)."""
    strings: list[str] = []
    parts: list[str] = []
    collecting = False
    phonetic = False
    item, text, run_phonetic = set(), set(), set()
    for namespace in MAIN_NAMESPACES:
        item.add(f"{namespace}}}si")
        text.add(f"{namespace}}}t")
        run_phonetic.add(f"{namespace}}}rPh")

    def start(name: str, _: dict[str, str]) -> None:
        nonlocal collecting, phonetic
        if name in text:
            collecting = not phonetic
        elif name in item:
            parts.clear()
        elif name in run_phonetic:
            phonetic = True

    def end(name: str) -> None:
        nonlocal collecting, phonetic
        if name in text:
            collecting = False
        elif name in item:
            strings.append(decode_escapes("".join(parts)))
        elif name in run_phonetic:
            phonetic = False

    def characters(data: str) -> None:
        if collecting:
            parts.append(data)
    parser = streaming_parser(start, end, characters, "the shared strings part")
    parser.ParseFile(stream)
    return strings


def _unless_panic(error: BaseException) -> None:
    """Re-raise `error` unless it is a Rust panic inside calamine (pyo3's PanicException
    derives from BaseException): the streaming reader reads what calamine could not."""
    if type(error).__name__ != "PanicException":
        raise error


def _a1(row: int, column: int) -> str:
    return f"{column_letter(column)}{row + 1}"


def _relationships(archive: zipfile.ZipFile, rels: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part) of one .rels part."""
    if rels not in archive.namelist():
        return {}
    found = {}
    for element in ET.fromstring(archive.read(rels)).iter(f"{{{PKG_REL_NS}}}Relationship"):
        if element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        target = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(base, target))
        )
        kind = element.get("Type", "").rsplit("/", 1)[-1]
        found[element.get("Id", "")] = (kind, target)
    return found


def _read_with(
    path: Path, use: Callable[[WorkbookReader], T], memory: ScanMemory | None = None
) -> T:
    """Open the workbook at `path`, hand its reader to `use`, and say plainly what went wrong."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise NotAWorkbookError(
            f"{path} cannot be read as an .xlsx workbook ({error}): open it in Excel or "
            "LibreOffice and save it again as .xlsx."
        ) from error
    except OSError as error:
        raise WorkbookError(f"{path} cannot be read: {error}.") from error
    with archive:
        check_unpack_limits(archive.infolist(), str(path))
        try:
            reader = WorkbookReader(archive, str(path), path, memory)
            try:
                return use(reader)
            finally:
                reader.close()
        except (zipfile.BadZipFile, ET.ParseError, KeyError, EOFError) as error:
            raise NotAWorkbookError(
                f"{path} is not a well-formed .xlsx workbook ({error}): open it in Excel or "
                "LibreOffice, save it again as .xlsx and sync again."
            ) from error


def read_tabs(
    path: Path, tabs: Sequence[str], memory: ScanMemory | None = None
) -> dict[str, Grid]:
    """The grid of each requested tab that the workbook has, keyed by the requested name
    (tabs the scan passed before, as `memory` remembers, are not scanned again)."""

    def requested(reader: WorkbookReader) -> dict[str, Grid]:
        names = list(reader.sheets)
        found = {tab: name for tab in tabs if (name := find_tab(names, tab)) is not None}
        grids = reader.grids(list(found.values()))
        # A tab two requested names lead to is read again for the second: grids are not shared.
        seen: set[str] = set()
        requested_grids = {}
        for tab, name in found.items():
            requested_grids[tab] = grids[name] if name not in seen else reader.grid(name)
            seen.add(name)
        return requested_grids

    return _read_with(path, requested, memory)


def read_first_tab(path: Path) -> Grid:
    """The grid of a workbook's first tab (an export to import), whatever its name."""

    def first(reader: WorkbookReader) -> Grid:
        names = list(reader.sheets)
        return reader.grid(names[0]) if names else []

    return _read_with(path, first)
