"""The automatic recompute: webhook checks, the durable per-spreadsheet queue, the workers.

Importable without Flask: `webhook_app.py` is a thin shell over `events.answer_edit` and
`status.status_view`; `salesops worker` runs `worker.run_worker`.
"""
