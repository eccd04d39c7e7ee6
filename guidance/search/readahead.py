"""Documents' Markdown read into plain text before the index asks for it.

A large publication (an import) writes to the database on one core for a while before the index
is rebuilt or caught up: 1.5 s for the handbook, 9 s for 10,000 documents. Meanwhile another
process reads the documents' words, in the order the index will want them; the index takes what
has been read by then and reads the rest itself. The texts are keyed by their Markdown, which is
all a plain text depends on, so a reading that is never taken, or taken late, is never wrong.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Mapping

from ..content import ParsedDocument
from ..content.plaintext import to_plain_text
from . import index

CHUNK = 20  # documents per message: what is read when the index asks is what it gets


def worth_it(count: int) -> bool:
    """Only where a second core is idle meanwhile, and the reading is more than forking costs."""
    return count > index.PARALLEL_ENTRIES and (os.cpu_count() or 1) > 1


class ReadAhead:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = None
        self._receiver: threading.Thread | None = None
        self._read: dict[str, str] = {}

    def start(self, documents: list[ParsedDocument], sources: Callable[[ParsedDocument], list[str]]) -> None:
        """Read `documents`' Markdown (`sources` names it, in the order the index reads it) in
        another process, forked: it reads text only, and goes when taken (or when the next starts)."""
        with self._lock:
            self._stop()
            chunks = [
                [source for document in documents[i : i + CHUNK] for source in sources(document)]
                for i in range(0, len(documents), CHUNK)
            ]
            context = multiprocessing.get_context("fork")
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_read, args=(chunks, sending), name="guidance-read-ahead", daemon=True)
            process.start()
            sending.close()
            # Received as it comes: a pipe holds 64 kB, and a process that waits to send reads nothing.
            read: dict[str, str] = {}
            receiver = threading.Thread(target=_receive, args=(chunks, receiving, read), daemon=True)
            receiver.start()
            self._process, self._receiver, self._read = process, receiver, read

    def take(self) -> dict[str, str]:
        """Markdown -> plain text for what has been read so far; the reading stops."""
        with self._lock:
            read = self._read
            self._stop()
            return read

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()  # its end of the pipe closes: the receiver stops
            self._process.join()
            self._receiver.join()
        self._process, self._receiver, self._read = None, None, {}


def _receive(chunks: list[list[str]], receiving, read: dict[str, str]) -> None:
    try:
        for chunk in chunks:
            texts = receiving.recv()
            read.update(zip(chunk, texts, strict=True))
    except (EOFError, OSError):  # stopped, or the process died: what came before is good
        pass
    finally:
        receiving.close()


def _read(chunks: Iterable[list[str]], sending) -> None:
    try:
        for chunk in chunks:
            sending.send([to_plain_text(source) for source in chunk])
    except OSError:  # taken meanwhile: the reader is not wanted any more
        pass
    finally:
        sending.close()


def reader(read: Mapping[str, str]) -> Callable[[str], str]:
    """to_plain_text, answered from `read` where it holds the source."""
    return lambda source: read[source] if source in read else to_plain_text(source)
