"""Read and write a tree of Markdown files without ever following a symbolic link.

A link named `notes.md` that points at the data directory's `secret_key` (or at /etc/passwd)
would otherwise be imported and published to every agent; a link in an export folder would have
the export overwrite whatever it points at. Each directory is opened by a file descriptor and
each name below it with O_NOFOLLOW, so nothing can be swapped for a link between looking and
using.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LINKED_FILE = "symbolic link (to {target}): only regular files inside the tree are read"
LINKED_DIRECTORY = "symbolic link to a directory (to {target}): not followed"
NOT_REGULAR = "not a regular file"


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the tree's root, with forward slashes
    data: bytes = b""
    refusal: str = ""  # why the entry was not read; empty for a regular Markdown file


def walk_markdown(root: Path, *, read: bool = True) -> Iterator[Entry]:
    """Every `.md` file under `root`, and every link or special file in the way, in no set order.

    `root` itself may be a link (the caller named it); nothing below it is followed.
    """
    top = os.path.realpath(root)
    for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
        prefix = os.path.relpath(dirpath, top)
        prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
        for name in list(dirnames):
            if stat.S_ISLNK(os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode):
                dirnames.remove(name)
                target = os.readlink(name, dir_fd=dirfd)
                yield Entry(prefix + name, refusal=LINKED_DIRECTORY.format(target=target))
        for name in filenames:
            if name.endswith(".md"):
                yield _file(prefix + name, name, dirfd, read)


def count_markdown(root: Path) -> int:
    """How many entries `walk_markdown` gives, for a progress bar and the summary line."""
    return sum(1 for _ in walk_markdown(root, read=False))


def _file(path: str, name: str, dirfd: int, read: bool) -> Entry:
    mode = os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode
    if stat.S_ISLNK(mode):
        return Entry(path, refusal=LINKED_FILE.format(target=os.readlink(name, dir_fd=dirfd)))
    if not stat.S_ISREG(mode):
        return Entry(path, refusal=NOT_REGULAR)
    if not read:
        return Entry(path)
    try:
        # O_NONBLOCK: a file swapped for a named pipe after the check must not hang the import.
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
    except OSError as error:  # e.g. swapped for a link since the check (ELOOP)
        return Entry(path, refusal=f"not read: {error.strerror}")
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return Entry(path, refusal=NOT_REGULAR)
        return Entry(path, data=file.read())


def write_inside(root: Path, path: str, data: bytes) -> str:
    """Write `root/path` (forward slashes), creating folders; returns why not, or "" when written."""
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "not a relative path inside the folder"
    root.mkdir(parents=True, exist_ok=True)
    dirfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    name = parts[0]
    try:
        for name in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=dirfd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dirfd)
            os.close(dirfd)
            dirfd = inner
        name = parts[-1]
        # O_NONBLOCK: a named pipe with no reader fails at once instead of hanging the export.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK
        fd = os.open(name, flags, 0o666, dir_fd=dirfd)
    except OSError as error:
        reason = _in_the_way(error, name, dirfd)
        os.close(dirfd)
        return reason
    os.close(dirfd)
    with os.fdopen(fd, "wb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return "something other than a regular file is in the way"
        file.write(data)
    return ""


def _in_the_way(error: OSError, name: str, dirfd: int) -> str:
    try:
        mode = os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode
    except OSError:
        mode = 0
    if stat.S_ISLNK(mode) or error.errno == errno.ELOOP:
        return "a symbolic link is in the way"
    if error.errno == errno.ENOTDIR:
        return "a file is in the way of a folder"
    return error.strerror or str(error)
