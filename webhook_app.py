"""The webhook server (SPEC section 7): a Flask app factory and its routes, nothing more.

The checks, the queue and the status live in `sync.server`; this file turns HTTP into
calls to it and its answers back into JSON. Run it with `salesops serve`.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from sync.config import Config, load_config
from sync.server.digests import digest_view
from sync.server.events import (
    MAX_BODY_BYTES,
    Answer,
    Signed,
    answer_edit,
    check_allowed,
    check_caller,
)
from sync.server.logs import configure_logging, server_log
from sync.server.queue import RecomputeQueue, open_queue
from sync.server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from sync.server.status import health, status_view


def create_app(settings: dict[str, Any] | Config | None = None) -> Flask:
    """The webhook app: settings layered defaults -> config.yaml -> SALESOPS_ -> `settings`."""
    config = settings if isinstance(settings, Config) else load_config(**(settings or {}))
    configure_logging(config.log_level)
    app = Flask(__name__)
    queue = open_queue(config)
    app.extensions["salesops_queue"] = queue
    log = server_log()

    def signed() -> Signed:
        return Signed(request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER))

    def reply(answer: Answer) -> tuple[Response, int]:
        if answer.spreadsheet_id:
            g.spreadsheet_id = answer.spreadsheet_id
        return jsonify(answer.body()), answer.code

    @app.before_request
    def _start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "seconds": round(time.perf_counter() - g.get("started", time.perf_counter()), 4),
        }
        if g.get("spreadsheet_id"):
            fields["spreadsheet_id"] = g.spreadsheet_id
        log.info("request", extra={"fields": fields})
        return response

    @app.post("/hooks/sheets-edit")
    def sheets_edit() -> tuple[Response, int]:
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return reply(Answer(413, "rejected", "body over 64 KiB"))
        # Without a Content-Length (chunked), read one byte past the limit to tell.
        body = request.stream.read(MAX_BODY_BYTES + 1)
        return reply(answer_edit(queue.config, queue.store, signed(), body, time.time()))

    @app.get("/status/<spreadsheet_id>")
    def status(spreadsheet_id: str) -> tuple[Response, int]:
        now = time.time()
        refused = check_caller(queue.config, signed(), b"", now) or check_allowed(
            queue.config, spreadsheet_id
        )
        if refused:
            return reply(refused)
        g.spreadsheet_id = spreadsheet_id
        return jsonify(status_view(queue.store, spreadsheet_id, now)), 200

    @app.get("/digest/<spreadsheet_id>")
    def digest(spreadsheet_id: str) -> tuple[Response, int]:
        refused = check_caller(queue.config, signed(), b"", time.time()) or check_allowed(
            queue.config, spreadsheet_id
        )
        if refused:
            return reply(refused)
        g.spreadsheet_id = spreadsheet_id
        view = digest_view(queue.store, spreadsheet_id)
        if view is None:
            return jsonify({"status": "not found", "reason": "no digest made yet"}), 404
        return jsonify(view), 200

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            return jsonify(health(queue.store, time.time())), 200
        except Exception as error:  # noqa: BLE001 - the answer is that the queue is down
            reason = f"queue storage unreachable ({type(error).__name__})"
            return jsonify({"status": "error", "reason": reason}), 503

    @app.errorhandler(Exception)
    def _failed(error: Exception) -> tuple[Response, int]:
        if isinstance(error, HTTPException):  # an unknown path, a wrong method
            return jsonify({"status": "rejected", "reason": error.name.lower()}), error.code or 400
        # The store is the only thing a request touches that can fail: say so; the add-on's
        # next post queues the edit once the store is back.
        log.error("request failed", extra={"fields": {"error": type(error).__name__}})
        reason = f"queue storage unreachable ({type(error).__name__}); try again shortly"
        return jsonify({"status": "error", "reason": reason}), 503

    return app


def queue_of(app: Flask) -> RecomputeQueue:
    """The recompute queue an app was created with."""
    queue: RecomputeQueue = app.extensions["salesops_queue"]
    return queue
