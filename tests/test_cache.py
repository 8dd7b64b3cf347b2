"""The disk cache: stable keys, atomic entries, misses on anything unreadable."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.cache import DiskCache, cache_key


def test_keys_depend_on_every_part_but_not_on_their_order() -> None:
    key = cache_key(model="m", text="abc", parameters=[0.0, 4096])
    assert key == cache_key(parameters=[0.0, 4096], text="abc", model="m")
    assert key != cache_key(model="m2", text="abc", parameters=[0.0, 4096])
    assert key != cache_key(model="m", text="abd", parameters=[0.0, 4096])
    assert key != cache_key(model="m", text="abc", parameters=[0.1, 4096])


def test_round_trip_and_miss(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache")
    key = cache_key(text="上半年")
    assert cache.get(key) is None
    cache.put(key, {"draft": {"metrics": []}, "mode": "tools"})
    assert cache.get(key) == {"draft": {"metrics": []}, "mode": "tools"}
    assert cache.path(key).is_file()
    assert json.loads(cache.path(key).read_text(encoding="utf-8"))["mode"] == "tools"


def test_rewrite_leaves_no_temporary_files(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    key = cache_key(text="x")
    for mode in ("tools", "json"):
        cache.put(key, {"mode": mode})
    assert cache.get(key) == {"mode": "json"}
    assert [p.name for p in cache.path(key).parent.iterdir()] == [f"{key}.json"]


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    key = cache_key(text="y")
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_text("{half an entry", encoding="utf-8")
    assert cache.get(key) is None
    cache.put(key, {"ok": True})
    assert cache.get(key) == {"ok": True}
