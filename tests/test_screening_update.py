"""`computegate lists update` against a local HTTP server (127.0.0.1) serving fixture lists."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from computegate.io.errors import DataFileError
from computegate.screening import Screener, load_list
from computegate.screening.update import current_version, update_list
from tests.test_cli import run

HEADER = "source,name,alt_names,addresses,federal_register_notice\n"
V1 = HEADER + 'Entity List (EL),Alpha Compute Co.,,"Beijing, CN",1 FR 1\n'
V2 = V1 + 'Entity List (EL),Beta Chips Ltd.,,"Shenzhen, CN",2 FR 2\n'


class _Fixture:
    """What the fixture server serves, and the conditional headers it was sent."""

    body = V1.encode()
    requests: ClassVar[list[dict[str, str | None]]] = []


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        _Fixture.requests.append({"If-None-Match": self.headers.get("If-None-Match")})
        etag = '"' + hashlib.sha256(_Fixture.body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(_Fixture.body)))
        self.end_headers()
        self.wfile.write(_Fixture.body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def server() -> Iterator[str]:
    _Fixture.body, _Fixture.requests = V1.encode(), []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/consolidated.csv"
    httpd.shutdown()
    httpd.server_close()


def test_update_downloads_then_asks_conditionally_then_swaps(server: str, tmp_path: Path) -> None:
    first, changed = update_list(tmp_path, server)
    assert changed and first.entries == 1 and first.etag
    assert load_list(tmp_path).identity.sha256 == first.sha256  # the directory loads as a list

    again, changed = update_list(tmp_path, server)
    assert not changed and again == first
    assert _Fixture.requests[-1]["If-None-Match"] == first.etag  # conditional GET, 304

    _Fixture.body = V2.encode()
    second, changed = update_list(tmp_path, server)
    assert changed and second.entries == 2 and second.sha256 != first.sha256
    assert (tmp_path / first.file).exists()  # the previous version is kept
    assert current_version(tmp_path) == second
    history = (tmp_path / "versions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(history) == 2
    result = Screener(load_list(tmp_path)).screen("Beta Chips")
    assert result.hit and result.list.sha256 == second.sha256  # decisions cite this version


def test_a_bad_download_never_becomes_current(server: str, tmp_path: Path) -> None:
    first, _ = update_list(tmp_path, server)
    _Fixture.body = b"not,a,list\n1,2,3\n"
    with pytest.raises(DataFileError):
        update_list(tmp_path, server)
    assert current_version(tmp_path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.file, "current.json", "versions.jsonl"]
    )


def test_lists_update_cli(server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lists", "update", "--dir", str(tmp_path), "--url", server)
    assert code == 0 and out.startswith("new version")
    code, out, _ = run(capsys, "lists", "update", "--dir", str(tmp_path), "--url", server)
    assert code == 0 and out.startswith("unchanged")
    code, out, _ = run(capsys, "screen", "Alpha Compute", "--list", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)["hit"] is True
    code, _, err = run(capsys, "screen", "Alpha", "--list", str(tmp_path / "empty"))
    assert code == 2 and "cannot read" in err


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as exc:
        update_list(tmp_path, "http://127.0.0.1:9/consolidated.csv")
    assert exc.value.key == "HTTP"
