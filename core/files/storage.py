"""Where attachment bytes live: a store addressed by SHA-256, small enough to swap.

A :class:`FileStore` knows three things - ``put`` bytes (returning their SHA-256 and whether
they were there already), ``get`` them back by digest, and whether it ``exists``. The same
bytes sent twice are stored once. :class:`LocalFileStore` keeps them under a directory
(``BAOXUE_FILES_DIR``) as ``ab/cd/abcd…``, written to a temporary file and renamed into place
so that a reader never sees half a file; an S3-compatible store only needs the same three
methods (the services never touch paths).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_DIGEST = re.compile(r"[0-9a-f]{64}")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore(Protocol):
    """Content-addressed bytes."""

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; ``(sha256, already_stored)``."""
        ...

    def get(self, digest: str) -> bytes | None:
        """The bytes stored under ``digest``, or None."""
        ...

    def exists(self, digest: str) -> bool: ...

    def discard(self, digest: str) -> None:
        """Remove the bytes stored under ``digest`` (a put whose record was never written)."""
        ...


class LocalFileStore:
    """A :class:`FileStore` on the local disk (or a mounted share)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def exists(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def get(self, digest: str) -> bytes | None:
        path = self._path(digest)
        return path.read_bytes() if path.is_file() else None

    def discard(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)

    def put(self, data: bytes) -> tuple[str, bool]:
        digest = sha256_of(data)
        path = self._path(digest)
        if path.is_file():
            return digest, True
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)  # atomic: the same bytes, whoever wins a race
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, False


def files_dir_for(files_dir: str, database_url: str) -> Path:
    """``BAOXUE_FILES_DIR``, or by default ``files/`` next to the SQLite database file (the
    working directory for PostgreSQL)."""
    if files_dir:
        return Path(files_dir)
    if database_url.startswith("sqlite://"):
        location = database_url.removeprefix("sqlite://").split("?")[0]
        if location and location != ":memory:":
            return Path(location).resolve().parent / "baoxue-files"
    return Path("baoxue-files").resolve()


#: ``uploaded_by`` of the files Baoxue generated itself (the notices it prints).
GENERATED_BY = "系统生成"


def file_store() -> LocalFileStore:
    """The deployment's store (``BAOXUE_FILES_DIR``), for code that runs outside a request
    (notices written by a case step, the command line)."""
    from core.settings import load_settings

    return LocalFileStore(load_settings().files_path)
