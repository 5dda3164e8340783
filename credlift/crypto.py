"""Personal data at rest: AES-GCM field encryption and a keyed hash, with a key from settings.

The key is `CREDLIFT_DATA_KEY` (base64 of 32 bytes) when set, else the file `CREDLIFT_DATA_KEY_FILE` (default
data_dir/keys/data.key), created at first start with mode 0600. Encrypted text is `enc:v1:<base64>`; text
without that prefix (written before encryption existed) is read as is. `keyed_hash` matches equal values (the
same ID number on two accounts) without storing them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
CIPHER_NAME = "aesgcm"
_lock = threading.Lock()
_keys: dict[str, bytes] = {}


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = base64.b64decode(path.read_bytes().strip())
    else:
        key = AESGCM.generate_key(bit_length=256)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(key) + b"\n")
    if len(key) != 32:
        raise ValueError(f"the data key in {path} is not 32 bytes")
    return key


def data_key(settings) -> bytes:
    """The 32-byte data key for these settings (created on first use when it comes from a file)."""
    configured = settings.data_key.get_secret_value() if settings.data_key is not None else ""
    if configured:
        key = base64.b64decode(configured)
        if len(key) != 32:
            raise ValueError("CREDLIFT_DATA_KEY must be base64 of 32 bytes")
        return key
    path = Path(settings.data_key_file) if settings.data_key_file else settings.data_dir / "keys" / "data.key"
    with _lock:
        cache_key = str(path.resolve())
        if cache_key not in _keys:
            _keys[cache_key] = _read_or_create(path)
        return _keys[cache_key]


class FieldCipher:
    """encrypt/decrypt for text columns, and the CipherProtocol LangGraph's EncryptedSerializer takes."""

    def __init__(self, key: bytes):
        self._aead = AESGCM(key)
        self._hash_key = hashlib.sha256(b"credlift-keyed-hash:" + key).digest()

    # bytes (LangGraph's CipherProtocol)
    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(12)
        return CIPHER_NAME, nonce + self._aead.encrypt(nonce, plaintext, None)

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        if ciphername != CIPHER_NAME:
            raise ValueError(f"unknown cipher {ciphername!r}")
        return self._aead.decrypt(ciphertext[:12], ciphertext[12:], None)

    # text columns
    def seal(self, text: str) -> str:
        if not text:
            return text
        return PREFIX + base64.b64encode(self.encrypt(text.encode("utf-8"))[1]).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored or not stored.startswith(PREFIX):
            return stored
        return self.decrypt(CIPHER_NAME, base64.b64decode(stored[len(PREFIX):])).decode("utf-8")

    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 of a normalised value: equal values match, the value itself is not stored."""
        normal = "".join(value.split()).upper()
        return hmac.new(self._hash_key, normal.encode("utf-8"), hashlib.sha256).hexdigest()


# files at rest (stored uploads, heatmap overlays): a marker, then AES-GCM of the whole file
FILE_MARKER = b"credlift-enc-v1\n"
SEALED_FILE_OVERHEAD = len(FILE_MARKER) + 12 + 16  # marker, nonce, tag


def seal_file_bytes(cipher: "FieldCipher", data: bytes) -> bytes:
    return FILE_MARKER + cipher.encrypt(data)[1]


def is_sealed(data: bytes) -> bool:
    return data.startswith(FILE_MARKER)


def open_file_bytes(cipher: "FieldCipher", data: bytes) -> bytes:
    """The plain bytes of a sealed file; bytes written before files were sealed are returned as they are."""
    return cipher.decrypt(CIPHER_NAME, data[len(FILE_MARKER):]) if is_sealed(data) else data


def store_dir_of(path: Path) -> Path:
    """The data directory a stored file belongs to: data_dir/uploads/<xx>/<file> or data_dir/overlays/<file>."""
    path = Path(path)
    return path.parents[2] if path.parent.parent.name == "uploads" else path.parents[1]


def cipher_for(settings) -> FieldCipher:
    return FieldCipher(data_key(settings))


def cipher_for_dir(directory: Path) -> FieldCipher:
    """The cipher of the data directory `directory` (its keys/data.key, or CREDLIFT_DATA_KEY when set): for stores
    built from a path alone."""
    from credlift.settings import get_settings

    settings = get_settings()
    if settings.data_key is not None and settings.data_key.get_secret_value():
        return cipher_for(settings)
    return cipher_for(settings.model_copy(update={"data_dir": Path(directory), "data_key_file": ""}))


DEMO_SESSION_SECRET = "change-me"


def session_secret(settings) -> str:
    """The browser-state secret: CREDLIFT_SESSION_SECRET when set to something other than the demo value, else a
    random secret generated at first start in data_dir/keys/session.key (mode 0600). Never a served default."""
    configured = settings.session_secret.get_secret_value()
    if configured and configured != DEMO_SESSION_SECRET:
        return configured
    path = settings.data_dir / "keys" / "session.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    import secrets

    value = secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def demo_secrets_in_use(settings) -> list[str]:
    """Which demo secrets these settings still use (reasons to refuse listening beyond localhost)."""
    found = []
    if settings.session_secret.get_secret_value() == DEMO_SESSION_SECRET and \
            "session_secret" in settings.model_fields_set:
        found.append("CREDLIFT_SESSION_SECRET is the demo value")
    for entry in settings.staff_users.split(","):
        parts = entry.strip().split(":")
        if len(parts) >= 3 and ":".join(parts[1:-1]).endswith("-demo"):
            found.append(f"staff user '{parts[0]}' has a demo password")
    return found
