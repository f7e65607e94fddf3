"""The database and its copies are the users' health records: readable by the bot's user only.

A file is created 0600 whatever the umask, and an existing one (and its -wal and -shm, which
SQLite creates with the database file's mode) is narrowed to 0600 when the bot opens it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

#: Owner read and write, nobody else.
PRIVATE = 0o600
#: The files SQLite keeps beside a database in WAL mode.
SIDE_FILES = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> None:
    """Create ``path`` as an empty file with mode 0600, refusing an existing file or a
    symbolic link (even a dangling one: it would write wherever the link points).

    Raises:
        FileExistsError: if anything, a link included, is there already.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, PRIVATE)
    try:
        os.fchmod(descriptor, PRIVATE)  # the umask may have taken bits off; set exactly
    finally:
        os.close(descriptor)


def make_private(path: Path) -> None:
    """Narrow ``path`` and its SQLite side files to 0600 where they allow more."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        if stat.S_IMODE(mode) & ~PRIVATE:
            try:
                candidate.chmod(PRIVATE)
            except PermissionError:
                logger.warning("%s is readable by others and not ours to change", candidate)
