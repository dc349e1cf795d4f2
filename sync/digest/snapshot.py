"""What a digest remembers for the next one, kept beside the queue's state, not in the workbook.

One JSON file per workbook in the state folder (config `state_dir`, by default
`salesops-state/` beside the SQLite queue): the previous digest's snapshot (deal stages
and health, customer lifecycles, Data Issues) and the digest itself (text and HTML), which
the server also serves at `GET /digest/<id>`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sync.contract.tables import Issue
from sync.engine import Computed


def issue_key(issue: Issue) -> str:
    """One Data Issues row as a comparable line."""
    return f"{issue.tab}|{issue.row}|{issue.column}|{issue.value}|{issue.problem}"


@dataclass
class Snapshot:
    """The state a digest compares the next one with."""

    as_of: str
    deal_stages: dict[str, str] = field(default_factory=dict)
    deal_status: dict[str, str] = field(default_factory=dict)
    lifecycle: dict[str, str] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)


def _pairs(frame: pd.DataFrame | None, key: str, value: str) -> dict[str, str]:
    if frame is None or frame.empty:
        return {}
    return {str(k): str(v) for k, v in zip(frame[key], frame[value], strict=True)
            if isinstance(k, str) and isinstance(v, str)}


def take_snapshot(computed: Computed) -> Snapshot:
    """The snapshot of a computation: what the next digest will compare with."""
    pipeline = computed.tables.pipeline
    return Snapshot(
        as_of=computed.tables.settings.as_of.isoformat(),
        deal_stages=_pairs(pipeline, "deal_id", "stage"),
        deal_status=_pairs(computed.frames.get("Deal Health"), "Deal ID", "Status"),
        lifecycle=_pairs(computed.frames.get("Customer Segments"), "Customer", "Lifecycle"),
        issues=sorted({issue_key(issue) for issue in computed.issues}),
    )


@dataclass
class StoredDigest:
    """A digest as kept: when it was made, its text and HTML, and its snapshot."""

    made_at: str
    subject: str
    text: str
    html: str
    snapshot: Snapshot


class KeepsDigests(Protocol):
    """Where digests are kept: a folder of files (CLI) or the server's shared store."""

    def load(self, workbook: str) -> StoredDigest | None:
        """The latest digest of a workbook, or None."""

    def save(self, workbook: str, stored: StoredDigest) -> None:
        """Keep a workbook's latest digest."""


def stored_from_dict(data: dict[str, Any]) -> StoredDigest:
    """A kept digest from its JSON form; TypeError or KeyError when it is not one."""
    snapshot = Snapshot(**data["snapshot"])
    return StoredDigest(data["made_at"], data["subject"], data["text"], data["html"], snapshot)


class DigestStore:
    """Digests kept as JSON files in a folder, one file per workbook (the CLI's store)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, workbook: str) -> Path:
        """The file of a workbook: a readable prefix of its id or path, and a hash of it."""
        digest = hashlib.sha256(workbook.encode("utf-8")).hexdigest()[:16]
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(workbook).stem)[:40].strip("-")
        return self.folder / f"digest-{stem}-{digest}.json"

    def load(self, workbook: str) -> StoredDigest | None:
        """The latest digest of a workbook, or None (none yet, or an unreadable file)."""
        try:
            return stored_from_dict(json.loads(self.path(workbook).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def save(self, workbook: str, stored: StoredDigest) -> None:
        """Replace the workbook's digest in one step (a reader never sees half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(workbook)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(asdict(stored), file, ensure_ascii=False, indent=1)
        os.replace(temporary, target)
