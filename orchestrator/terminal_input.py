"""The lines a person types at the chat's prompt, read whole however long they are.

A terminal in its usual (canonical) mode keeps at most 4,095 characters of a line and drops the rest without
a word, so a long paste would reach the agent cut. At a terminal the chat therefore reads keys itself
(non-canonical mode) and echoes them, with the edits a person expects: backspace, Ctrl-U to clear the line,
Ctrl-D on an empty line to leave. A bracketed paste keeps its line breaks, so a pasted text is one message.
Ctrl-C still interrupts (the terminal still turns it into SIGINT). From a pipe or a file, lines are read as
they come, of any length. The terminal's settings are restored on the way out, however the chat ends.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import termios
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import IO

MAX_PIPED_LINE = 64 * 1024 * 1024
"""The longest line read from a pipe (asyncio's default limit, 64 KiB, would fail on a long one)."""
ESC, BACKSPACE, DELETE, CTRL_D, CTRL_U, TAB = 0x1B, 0x08, 0x7F, 0x04, 0x15, 0x09
PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"
BRACKETED_PASTE_ON, BRACKETED_PASTE_OFF = b"\x1b[?2004h", b"\x1b[?2004l"

_restorers: list[Callable[[], None]] = []
"""How to put every terminal this process changed back as it was (``restore_terminals``)."""


def restore_terminals() -> None:
    """Give the terminal its settings back now (before a process exits without unwinding)."""
    while _restorers:
        _restorers.pop()()


class LineEditor:
    """Keys in, lines out: the line editing a terminal does in canonical mode, without its length limit."""

    def __init__(self, prompt: bytes = b"") -> None:
        self._prompt = prompt
        self._line = bytearray()
        self._escape: bytearray | None = None
        self._pasting = False
        self._previous = 0

    def feed(self, data: bytes) -> tuple[list[str | None], bytes]:
        """Take typed bytes; return the lines they complete (None: the person ended the input with Ctrl-D)
        and the bytes to echo."""
        lines: list[str | None] = []
        echo = bytearray()
        for byte in data:
            self._take(byte, lines, echo)
            self._previous = byte
        return lines, bytes(echo)

    def _take(self, byte: int, lines: list[str | None], echo: bytearray) -> None:
        if self._escape is not None:
            self._escape.append(byte)
            self._end_of_escape()
        elif byte == ESC:
            self._escape = bytearray([byte])
        elif byte in (0x0A, 0x0D):
            if byte == 0x0A and self._previous == 0x0D:
                return  # CR LF is one line break
            if self._pasting:
                self._line.append(0x0A)
            else:
                lines.append(self._line.decode(errors="replace"))
                self._line.clear()
            echo += b"\r\n"
        elif byte in (DELETE, BACKSPACE):
            if self._line and self._line[-1] != 0x0A:
                while self._line and 0x80 <= self._line[-1] < 0xC0:  # a character's UTF-8 continuation
                    self._line.pop()
                self._line.pop()
                echo += b"\b \b"
        elif byte == CTRL_U:
            self._line.clear()
            echo += b"\r\x1b[K" + self._prompt
        elif byte == CTRL_D:
            if not self._line:
                lines.append(None)
        elif byte >= 0x20 or byte == TAB:
            self._line.append(byte)
            echo.append(byte)

    def _end_of_escape(self) -> None:
        """Read a key's escape sequence (arrows, function keys: ignored) or a paste's brackets."""
        sequence = self._escape
        assert sequence is not None
        if len(sequence) == 2 and sequence[1] in b"[O":
            return
        if sequence[1] == ord("[") and not 0x40 <= sequence[-1] <= 0x7E:
            return
        if sequence[1] == ord("O") and len(sequence) < 3:
            return
        if sequence == PASTE_START:
            self._pasting = True
        elif sequence == PASTE_END:
            self._pasting = False
        self._escape = None


class TypedLines:
    """``async with TypedLines() as lines: async for line in lines``: each line typed, the prompt shown
    before each; ends at the end of the input (Ctrl-D at a terminal)."""

    def __init__(self, prompt: str = "you> ", stream: IO[str] | None = None) -> None:
        self._prompt = prompt
        self._stream = stream or sys.stdin
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._file_lines: Iterator[str] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._restore: Callable[[], None] | None = None

    async def __aenter__(self) -> TypedLines:
        descriptor = self._stream.fileno()
        if os.isatty(descriptor):
            self._restore = _read_keys(descriptor, LineEditor(self._prompt.encode()), self._lines)
            _restorers.append(self._restore)
        elif stat.S_ISREG(os.fstat(descriptor).st_mode):
            self._file_lines = iter(self._stream)  # a file: every line is there already
        else:
            reader = self._reader = asyncio.StreamReader(limit=MAX_PIPED_LINE)
            loop = asyncio.get_running_loop()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self._stream)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._restore is not None and self._restore in _restorers:
            _restorers.remove(self._restore)
            self._restore()

    def __aiter__(self) -> TypedLines:
        return self

    async def __anext__(self) -> str:
        print(self._prompt, end="", flush=True)
        line = await self._next_line()
        if line is None:
            raise StopAsyncIteration
        return line

    async def _next_line(self) -> str | None:
        if self._file_lines is not None:
            line = next(self._file_lines, None)
            return None if line is None else line.removesuffix("\n")
        if self._reader is not None:
            raw = await self._reader.readline()
            return raw.decode(errors="replace").removesuffix("\n") if raw else None
        return await self._lines.get()


def _read_keys(descriptor: int, editor: LineEditor, lines: asyncio.Queue[str | None]) -> Callable[[], None]:
    """Put the terminal in non-canonical mode without echo (still turning Ctrl-C into SIGINT), feed what it
    reads to ``editor``, echo, queue the lines; return what restores it."""
    saved = termios.tcgetattr(descriptor)
    keys = termios.tcgetattr(descriptor)
    keys[3] &= ~(termios.ICANON | termios.ECHO | termios.IEXTEN)
    keys[6][termios.VMIN], keys[6][termios.VTIME] = 1, 0
    termios.tcsetattr(descriptor, termios.TCSANOW, keys)
    _write(descriptor, BRACKETED_PASTE_ON)
    loop = asyncio.get_running_loop()

    def readable() -> None:
        try:
            data = os.read(descriptor, 65536)
        except OSError:
            data = b""
        if not data:  # the terminal hung up
            loop.remove_reader(descriptor)
            lines.put_nowait(None)
            return
        completed, echo = editor.feed(data)
        if echo:
            sys.stdout.flush()
            _write(descriptor, echo)
        for line in completed:
            lines.put_nowait(line)

    loop.add_reader(descriptor, readable)

    def restore() -> None:
        if not loop.is_closed():
            loop.remove_reader(descriptor)
        _write(descriptor, BRACKETED_PASTE_OFF)
        termios.tcsetattr(descriptor, termios.TCSANOW, saved)

    return restore


def _write(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to the terminal (a long echo may take several writes)."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(descriptor, view) :]
        except BlockingIOError:
            continue
        except OSError:
            return  # the terminal is gone: nothing to show it on
