"""Files Baoxue writes itself (the notices it prints), kept by their SHA-256.

A case attachment is a reference: a file name and a SHA-256 (:class:`~core.cases.models.
CaseAttachment`). Files a user uploads live wherever the county keeps them; a file Baoxue
generates (a 劝返复学通知书) is written here, under ``files_dir`` (``BAOXUE_FILES_DIR``), at a
path made of its digest, so writing the same bytes twice is harmless and what was stored can
be checked against the reference.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from core.settings import load_settings

_DIGEST = re.compile(r"[0-9a-f]{64}")
#: ``uploaded_by`` of the attachments Baoxue generated (and so keeps in its store).
GENERATED_BY = "系统生成"


class FileStore:
    """A directory of files named by SHA-256 (``ab/abcdef….bin``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _DIGEST.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.bin"

    def put(self, data: bytes) -> str:
        """Store ``data``; its SHA-256 (written atomically, once)."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as out:
                out.write(data)
            os.replace(out.name, path)
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored under ``sha256``, or None when this store does not hold them."""
        try:
            path = self._path(sha256)
        except ValueError:
            return None
        if not path.exists():
            return None
        data = path.read_bytes()
        return data if hashlib.sha256(data).hexdigest() == sha256 else None


def file_store() -> FileStore:
    """The deployment's store (``BAOXUE_FILES_DIR``)."""
    return FileStore(load_settings().files_dir)
