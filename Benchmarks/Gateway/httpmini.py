"""Minimal asyncio HTTP/1.1 (keep-alive, Content-Length or chunked) and WebSocket (RFC 6455, text
frames, no extensions) clients over asyncio streams: the standard library only, for loopback
benchmarks of the gateway (scripts/bench-gateway.sh)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct


class HTTPError(Exception):
    def __init__(self, status: int, body: bytes):
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


async def _read_headers(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return status, headers


class HTTPConnection:
    """One keep-alive connection; requests on it are sequential."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)

    async def request(self, method: str, path: str, body: bytes | None = None,
                      content_type: str = "application/json") -> tuple[int, bytes]:
        for attempt in (0, 1):  # one reconnect if the server closed an idle keep-alive connection
            if self.writer is None:
                await self._connect()
            head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            if os.environ.get("PM_API_KEY"):
                head += f"Authorization: Bearer {os.environ['PM_API_KEY']}\r\n"
            if body is not None:
                head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            data = (head + "\r\n").encode() + (body or b"")
            try:
                self.writer.write(data)
                await self.writer.drain()
                status, headers = await _read_headers(self.reader)
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 1:
                    raise
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            payload = b"".join(parts)
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def json(self, method: str, path: str, value=None, expect=(200, 201)):
        body = None if value is None else json.dumps(value, separators=(",", ":")).encode()
        status, payload = await self.request(method, path, body)
        if status not in expect:
            raise HTTPError(status, payload)
        return json.loads(payload) if payload else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:
                pass
        self.reader = self.writer = None


class WebSocket:
    """A client WebSocket: `recv()` returns each text message (continuations joined); pings are answered."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, host: str, port: int, path: str = "/ws") -> "WebSocket":
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        await writer.drain()
        status, _ = await _read_headers(reader)
        if status != 101:
            raise HTTPError(status, b"WebSocket upgrade refused")
        socket = cls(reader, writer)
        if os.environ.get("PM_API_KEY"):
            # The gateway's WebSocket takes the key in the first message.
            await socket.send_text(json.dumps({"type": "auth", "key": os.environ["PM_API_KEY"]}))
        return socket

    async def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def send_text(self, text: str) -> None:
        await self._send(0x1, text.encode())

    async def recv(self) -> str | None:
        """The next text message, or None once the server closed the connection."""
        parts: list[bytes] = []
        while True:
            try:
                b0, b1 = await self.reader.readexactly(2)
            except (asyncio.IncompleteReadError, ConnectionError):
                return None
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            mask = await self.reader.readexactly(4) if b1 & 0x80 else None
            payload = await self.reader.readexactly(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x8:  # close
                return None
            if opcode == 0x9:  # ping
                await self._send(0xA, payload)
                continue
            if opcode == 0xA:  # pong
                continue
            parts.append(payload)
            if b0 & 0x80:
                return b"".join(parts).decode()

    async def close(self) -> None:
        try:
            await self._send(0x8, struct.pack("!H", 1000))
        except Exception:
            pass
        self.writer.close()
