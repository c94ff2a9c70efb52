"""Signed checkpoints: the audit log's size and root, signed with an Ed25519 key kept outside the database.

A checkpoint printed or saved somewhere the database's administrator cannot write is what makes the
log tamper-evident: `audit verify --checkpoint FILE` proves the log still extends it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from computegate.io.errors import InputError

ENV_KEY = "COMPUTEGATE_AUDIT_KEY"
ORIGIN = "computegate audit log"


def key_path(explicit: Path | None = None) -> Path:
    """Explicit path, else $COMPUTEGATE_AUDIT_KEY, else ./var/audit-signing-key.pem."""
    if explicit:
        return explicit
    if os.environ.get(ENV_KEY):
        return Path(os.environ[ENV_KEY])
    return Path("var").resolve() / "audit-signing-key.pem"


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key at `path`; a new one (mode 0600) if the file does not exist yet."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError("key", f"{path} is not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def _raw(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: str
    timestamp: str
    public_key: str
    signature: str

    def signed_text(self) -> bytes:
        return f"{self.origin}\n{self.tree_size}\n{self.root_hash}\n{self.timestamp}\n".encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def sign(cls, key: Ed25519PrivateKey, tree_size: int, root_hash: str) -> Checkpoint:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        unsigned = cls(ORIGIN, tree_size, root_hash, now, _raw(key.public_key()), "")
        signature = base64.b64encode(key.sign(unsigned.signed_text())).decode()
        return cls(ORIGIN, tree_size, root_hash, now, unsigned.public_key, signature)

    @classmethod
    def load(cls, path: Path, trusted_key: Path | None = None) -> Checkpoint:
        """Read and check a checkpoint file; with `trusted_key`, it must be signed by that key."""
        try:
            raw = json.loads(path.read_text())
            cp = cls(**{k: raw[k] for k in cls.__dataclass_fields__})
            public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp.public_key))
            public.verify(base64.b64decode(cp.signature), cp.signed_text())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError("checkpoint", f"{path}: not a readable checkpoint ({exc})") from None
        except InvalidSignature:
            raise InputError("checkpoint", f"{path}: the signature does not match") from None
        if trusted_key is not None and trusted_key.exists():
            expected = _raw(load_or_create_key(trusted_key).public_key())
            if expected != cp.public_key:
                raise InputError("checkpoint", f"{path} was not signed by the key in {trusted_key}")
        return cp
