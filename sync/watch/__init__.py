"""`salesops watch`: sync again after each save of a file, or each change of a spreadsheet.

`watch_workbook` (files.py) follows a local .xlsx through file-system notifications;
`watch_spreadsheet` (drive.py) polls a Google spreadsheet's Drive version. Both coalesce
edits with `Debounce` (debounce.py) and print one line per sync (lines.py).
"""

from sync.watch.debounce import Debounce
from sync.watch.drive import watch_spreadsheet
from sync.watch.files import watch_workbook

__all__ = ["Debounce", "watch_spreadsheet", "watch_workbook"]
