"""Keep a local copy of the official Consolidated Screening List current.

`update_list` downloads with a conditional GET (ETag / Last-Modified of the version held), checks
the file loads as a list before using it, stores it under its SHA-256, and swaps `current.json`
(the pointer to the version in use) atomically. Earlier versions stay on disk and every version
is appended to `versions.jsonl`; decisions cite the version through the list identity (file name
and SHA-256). `load_list(directory)` loads the current version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from computegate.io.errors import DataFileError

OFFICIAL_CSL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
CURRENT = "current.json"
HISTORY = "versions.jsonl"
TIMEOUT_SECONDS = 120


class ListVersion(BaseModel):
    """One downloaded version of a list: where from, which bytes, and the server's validators."""

    model_config = ConfigDict(frozen=True)
    url: str
    file: str
    sha256: str
    entries: int
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str


def current_version(directory: Path) -> ListVersion | None:
    path = directory / CURRENT
    if not path.exists():
        return None
    try:
        return ListVersion.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataFileError(str(path), "(file)", f"not a list version record: {exc}") from None


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # same directory: readers see the old or the new file, never half


def update_list(directory: Path, url: str = OFFICIAL_CSL) -> tuple[ListVersion, bool]:
    """Fetch `url` into `directory` if it changed; returns the version in use and whether it is new."""
    from computegate.screening.lists import load_list

    directory.mkdir(parents=True, exist_ok=True)
    held = current_version(directory)
    request = urllib.request.Request(url, headers={"User-Agent": "computegate lists update"})
    if held and held.url == url and (directory / held.file).exists():
        if held.etag:
            request.add_header("If-None-Match", held.etag)
        if held.last_modified:
            request.add_header("If-Modified-Since", held.last_modified)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read()
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and held is not None:
            return held, False
        raise DataFileError(url, "HTTP", f"the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise DataFileError(url, "HTTP", f"cannot download: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if held and held.sha256 == digest:
        return held, False
    suffix = Path(urllib.parse.urlparse(url).path).suffix.lower() or ".csv"
    name = f"list-{digest[:16]}{suffix}"
    staged = directory / f".{name}.staged{suffix}"
    staged.write_bytes(data)
    try:
        loaded = load_list(staged)  # a file that does not load never becomes current
    except DataFileError:
        staged.unlink()
        raise
    os.replace(staged, directory / name)
    version = ListVersion(
        url=url,
        file=name,
        sha256=digest,
        entries=loaded.identity.entries,
        etag=etag,
        last_modified=modified,
        fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    with (directory / HISTORY).open("a", encoding="utf-8") as fh:
        fh.write(version.model_dump_json() + "\n")
    _atomic_write(directory / CURRENT, version.model_dump_json(indent=2).encode())
    return version, True
