"""Times sealing and opening client free texts with the default (SQLite) key store.

Usage: .venv/bin/python scripts/bench_sealing.py [texts] [clients]
Prints milliseconds per text for sealing and opening texts of one client (one key read), and
for opening one text each of many clients (one key store read per client, as a list of
notifications or an erasure migration of many clients does).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Deutschkurs B1 am Vormittag; Kinder in der Kita bis 13 Uhr. " * 4


async def new_keys(count: int) -> list[UUID]:
    from clients import crypto
    from clients.keystore import get_keystore
    from clients.rotation import master_keys

    key = master_keys().current
    ids = [uuid4() for _ in range(count)]
    for client_id in ids:
        wrapped = crypto.wrap_key(crypto.new_data_key(), key, client_id)
        await get_keystore().put(client_id, wrapped, crypto.key_id(key))
    return ids


async def measure(texts: int, clients: int) -> None:
    from clients.api import TextKeys

    one = (await new_keys(1))[0]
    keys = TextKeys()
    started = time.perf_counter()
    sealed = [await keys.seal(one, "need_text", TEXT) for _ in range(texts)]
    seal_ms = (time.perf_counter() - started) * 1000 / texts
    keys = TextKeys()
    started = time.perf_counter()
    for value in sealed:
        assert await keys.open(one, "need_text", value) == TEXT
    open_ms = (time.perf_counter() - started) * 1000 / texts

    many = await new_keys(clients)
    stored = {c: await TextKeys().seal(c, "message_body", TEXT) for c in many}
    keys = TextKeys()
    started = time.perf_counter()
    for client_id, value in stored.items():
        assert await keys.open(client_id, "message_body", value) == TEXT
    many_ms = (time.perf_counter() - started) * 1000 / clients

    print(f"text of {len(TEXT)} characters, stored sealed as {len(sealed[0])} characters")
    print(f"seal, one client   {seal_ms:7.3f} ms per text  ({texts} texts)")
    print(f"open, one client   {open_ms:7.3f} ms per text  ({texts} texts)")
    print(f"open, many clients {many_ms:7.3f} ms per text  ({clients} clients, a key read each)")


def main() -> None:
    texts = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory(prefix="lotse-bench-sealing-") as folder:
        os.environ["LOTSE_DATA_DIR"] = folder
        os.environ.setdefault("LOTSE_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
        os.environ.pop("LOTSE_KEYSTORE_URL", None)
        sys.path.insert(0, str(ROOT))
        asyncio.run(measure(texts, clients))


if __name__ == "__main__":
    main()
