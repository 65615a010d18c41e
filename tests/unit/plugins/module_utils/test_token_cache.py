# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import os
import stat
import time

from ansible_collections.csp.onboarding.plugins.module_utils._auth import TokenCache


def test_written_with_mode_0600_and_read_back(tmp_path):
    path = str(tmp_path / "sub" / "tokens.json")
    cache = TokenCache(path)
    with cache.locked() as entries:
        entries["k"] = {"access_token": "a", "expires_at": time.time() + 60}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with cache.locked() as entries:
        assert entries["k"]["access_token"] == "a"


def test_a_readable_cache_is_tightened(tmp_path):
    path = str(tmp_path / "tokens.json")
    with open(path, "w") as handle:
        json.dump({}, handle)
    os.chmod(path, 0o644)
    with TokenCache(path).locked():
        pass
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_corrupt_cache_starts_afresh(tmp_path):
    path = str(tmp_path / "tokens.json")
    with open(path, "w") as handle:
        handle.write("{not json")
    with TokenCache(path).locked() as entries:
        assert entries == {}


def test_expired_entries_without_refresh_token_are_dropped(tmp_path):
    path = str(tmp_path / "tokens.json")
    with TokenCache(path).locked() as entries:
        entries["old"] = {"access_token": "a", "expires_at": time.time() - 1}
        entries["rt"] = {"access_token": "b", "expires_at": time.time() - 1, "refresh_token": "r"}
        entries["new"] = {"access_token": "c", "expires_at": time.time() + 60}
    with open(path) as handle:
        assert sorted(json.load(handle)) == ["new", "rt"]


def test_an_empty_path_keeps_tokens_in_memory(tmp_path):
    cache = TokenCache("")
    with cache.locked() as entries:
        entries["k"] = {"access_token": "a"}
    with cache.locked() as entries:
        assert entries["k"]["access_token"] == "a"
    assert os.listdir(str(tmp_path)) == []
