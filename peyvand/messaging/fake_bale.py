"""A fake Bale Bot API on loopback, for tests and the demo.

It answers the methods the bot uses as Bale's Telegram-compatible API does
(``POST /bot<token>/<method>`` with JSON, answers ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code": 401, "description": "Unauthorized"}``): getMe, getUpdates
(``offset`` confirms and forgets earlier updates, as Bale does; ``limit``), sendMessage
(a private chat the customer opened; ``reply_markup`` kept), getFile and the file itself
(``GET /file/bot<token>/<file_path>``). What the customer does is played by
``customer_writes``, ``customer_sends_file`` and ``customer_shares_phone`` (or ``POST /_fake/write``
and ``/_fake/share-phone`` with JSON, from another process); what the bot sent is in
``sent`` (``GET /_fake/sent``).

``python -m peyvand.messaging.fake_bale --port 8002 --token T`` prints ``READY <url>``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from peyvand.messaging.fake_providers import LoopbackFake, Reply, json_reply, serve_until_stopped

_PATH = re.compile(r"/bot([^/]+)/(\w+)/?")


TEST_TOKEN = "123456:test-token"  # noqa: S105 - the fake's, stands for no real bot


class FakeBale(LoopbackFake):
    def __init__(self, *, token: str = TEST_TOKEN, bot_username: str = "peyvand_bot"):
        super().__init__()
        self.token = token
        self.bot_username = bot_username
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 1
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # by file id: its path and bytes

    # What the customer does ---------------------------------------------------------

    def _update(self, chat_id: int, message: dict[str, Any], name: str) -> int:
        with self._lock:
            update_id = self._next_update
            self._next_update += 1
            message_id = self._next_message
            self._next_message += 1
            person = {"id": chat_id, "is_bot": False, "first_name": name}
            self._updates.append(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": message_id,
                        "from": person,
                        "chat": {"id": chat_id, "type": "private", "first_name": name},
                        "date": int(time.time()),
                        **message,
                    },
                }
            )
            return update_id

    def customer_writes(self, chat_id: int, text: str, name: str = "مشتری") -> int:
        return self._update(chat_id, {"text": text}, name)

    def customer_shares_phone(
        self, chat_id: int, phone: str, name: str = "مشتری", *, own: bool = True
    ) -> int:
        """The «ارسال شماره» button: Bale sends the user's own number as a contact
        (``own=False``: a contact card of someone else, forwarded)."""
        contact = {
            "phone_number": phone,
            "first_name": name,
            "user_id": chat_id if own else chat_id + 1,
        }
        return self._update(chat_id, {"contact": contact}, name)

    def customer_sends_file(
        self,
        chat_id: int,
        name: str,
        data: bytes,
        *,
        photo: bool = False,
        caption: str = "",
        size: int | None = None,
    ) -> int:
        """A photo (Bale sends its sizes, smallest first) or a document, kept for
        getFile; ``size`` is what Bale says of it (a file too big to fetch)."""
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = (f"documents/{file_id}/{name}", data)
        item = {"file_id": file_id, "file_unique_id": file_id, "file_size": size or len(data)}
        message: dict[str, Any] = (
            {"photo": [{**item, "file_id": "thumb", "width": 90, "height": 90}, item]}
            if photo
            else {"document": {**item, "file_name": name}}
        )
        if caption:
            message["caption"] = caption
        return self._update(chat_id, message, "مشتری")

    def pending(self) -> int:
        with self._lock:
            return len(self._updates)

    # HTTP ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        path = urlsplit(target).path
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        if path.startswith("/_fake/"):
            return self._control(method, path, payload)
        if path.startswith(f"/file/bot{self.token}/"):
            return self._file(path.removeprefix(f"/file/bot{self.token}/"))
        match = _PATH.fullmatch(path)
        if match is None:
            return json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if match.group(1) != self.token:
            return json_reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if not isinstance(payload, dict):
            return self._bad("Bad Request: invalid JSON")
        name = match.group(2)
        with self._lock:
            self.calls.append(name)
        if name == "getMe":
            return self._ok(
                {"id": 1, "is_bot": True, "first_name": "پیوند", "username": self.bot_username}
            )
        if name == "getUpdates":
            return self._get_updates(payload)
        if name == "sendMessage":
            return self._send_message(payload)
        if name == "getFile":
            return self._get_file(payload)
        return json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _ok(self, result: Any) -> Reply:
        return json_reply(200, {"ok": True, "result": result})

    def _bad(self, description: str) -> Reply:
        return json_reply(400, {"ok": False, "error_code": 400, "description": description})

    def _get_updates(self, payload: dict[str, Any]) -> Reply:
        offset = int(payload.get("offset") or 0)
        limit = max(1, min(100, int(payload.get("limit") or 100)))
        with self._lock:
            if offset:
                # Confirmed: Bale forgets every update before the offset.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return self._ok([dict(u) for u in self._updates[:limit]])

    def _send_message(self, payload: dict[str, Any]) -> Reply:
        chat_id, text = payload.get("chat_id"), payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._bad("Bad Request: message text is empty")
        if not isinstance(chat_id, int):
            return self._bad("Bad Request: chat not found")
        with self._lock:
            message_id = self._next_message
            self._next_message += 1
            self.sent.append(
                {
                    "message_id": message_id,
                    "chat_id": chat_id,
                    "text": text,
                    "reply_markup": payload.get("reply_markup"),
                }
            )
        return self._ok({"message_id": message_id, "chat": {"id": chat_id}, "text": text})

    def _get_file(self, payload: dict[str, Any]) -> Reply:
        with self._lock:
            found = self.files.get(str(payload.get("file_id")))
        if found is None:
            return self._bad("Bad Request: wrong file_id")
        path, data = found
        return self._ok({"file_id": payload["file_id"], "file_size": len(data), "file_path": path})

    def _file(self, path: str) -> Reply:
        with self._lock:
            data = next(
                (data for known, data in self.files.values() if known == unquote(path)), None
            )
        if data is None:
            return Reply(404, b"", "text/plain; charset=utf-8")
        return Reply(200, data, "application/octet-stream")

    def _control(self, method: str, path: str, payload: Any) -> Reply:
        if method == "GET" and path == "/_fake/sent":
            with self._lock:
                return json_reply(200, list(self.sent))
        if method == "POST" and isinstance(payload, dict):
            try:
                if path == "/_fake/write":
                    update_id = self.customer_writes(int(payload["chat_id"]), str(payload["text"]))
                    return json_reply(200, {"update_id": update_id})
                if path == "/_fake/share-phone":
                    update_id = self.customer_shares_phone(
                        int(payload["chat_id"]), str(payload["phone"])
                    )
                    return json_reply(200, {"update_id": update_id})
            except (KeyError, TypeError, ValueError):
                return json_reply(400, {"error": "chat_id and text (or phone) expected"})
        return json_reply(404, {"error": "unknown control path"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m peyvand.messaging.fake_bale")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=TEST_TOKEN)
    args = parser.parse_args(argv)
    serve_until_stopped(FakeBale(token=args.token), args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
