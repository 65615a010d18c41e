# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token cache file: what another local user, a stray file or a held lock can do to it.

These run as root on CI: "another user" is uid 65534 (files are chowned to it), and the test that needs
an unprivileged user running the cache code uses ``setpriv``.
"""

import fcntl
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils import _auth
from ansible_collections.csp.onboarding.plugins.module_utils._auth import (
    LockTimeout, TokenCache, exclusive_lock)
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

OTHER_UID = 65534  # nobody


def write_json(path, value, mode=0o600):
    with open(path, "w") as handle:
        json.dump(value, handle)
    os.chmod(path, mode)


def stored(path):
    with open(path) as handle:
        return json.load(handle)


def root_only():
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")


def test_written_with_mode_0600_and_read_back(tmp_path):
    path = str(tmp_path / "sub" / "tokens.json")
    cache = TokenCache(path)
    with cache.locked() as entries:
        entries["k"] = {"secret": "a"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "sub")).st_mode) == 0o700
    with cache.locked() as entries:
        assert entries == {"k": {"secret": "a"}}
    # Nothing but the cache and its lock: no temporary file is left behind.
    assert sorted(os.listdir(str(tmp_path / "sub"))) == ["tokens.json", "tokens.json.lock"]


def test_a_readable_cache_is_replaced_by_a_private_file_not_chmodded(tmp_path):
    path = str(tmp_path / "tokens.json")
    write_json(path, {"version": 2, "entries": {"k": {"secret": "a"}}}, mode=0o644)
    before = os.stat(path).st_ino
    with TokenCache(path).locked() as entries:
        assert entries == {"k": {"secret": "a"}}
    assert os.stat(path).st_ino != before  # a new file, made 0600 by mkstemp
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stored(path)["entries"] == {"k": {"secret": "a"}}


def test_a_corrupt_cache_starts_afresh(tmp_path):
    path = str(tmp_path / "tokens.json")
    with open(path, "w") as handle:
        handle.write("{not json")
    with TokenCache(path).locked() as entries:
        assert entries == {}


@pytest.mark.parametrize("content", [{"x": 5}, [1, 2], "text", {"version": 2, "entries": [1]},
                                     {"version": 2, "entries": {"k": 5}}])
def test_wrong_shaped_json_counts_as_empty_and_is_rewritten(tmp_path, content):
    path = str(tmp_path / "tokens.json")
    write_json(path, content)
    with TokenCache(path).locked() as entries:
        assert entries == {}
        entries["new"] = {"secret": "b"}
    assert stored(path) == {"version": 2, "entries": {"new": {"secret": "b"}}}


def test_a_symlinked_cache_is_refused_and_its_target_untouched(tmp_path):
    target = str(tmp_path / "elsewhere")
    write_json(target, {"version": 2, "entries": {}}, mode=0o644)
    path = str(tmp_path / "tokens.json")
    os.symlink(target, path)
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(path).locked() as entries:
            entries["k"] = {"secret": "a"}
    assert "token_cache_path" in str(caught.value) and "symbolic link" in str(caught.value)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644  # not chmodded through the link
    assert stored(target) == {"version": 2, "entries": {}} and os.path.islink(path)


def test_a_symlinked_lock_is_refused(tmp_path):
    target = str(tmp_path / "victim")
    write_json(target, {"keep": True}, mode=0o644)
    path = str(tmp_path / "tokens.json")
    os.symlink(target, path + ".lock")
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(path).locked():
            pass
    assert (path + ".lock") in str(caught.value) and "token_cache_path" in str(caught.value)
    assert stored(target) == {"keep": True} and stat.S_IMODE(os.stat(target).st_mode) == 0o644


def test_a_planted_temporary_file_does_not_become_the_cache(tmp_path):
    root_only()
    os.chmod(str(tmp_path), 0o1777)  # a shared directory, where another user can plant files
    path = str(tmp_path / "tokens.json")
    # The name the cache used to write through (path.<pid>.tmp), planted by another user, writable by all.
    planted = "%s.%d.tmp" % (path, os.getpid())
    with open(planted, "w") as handle:
        handle.write("planted")
    os.chown(planted, OTHER_UID, OTHER_UID)
    os.chmod(planted, 0o666)
    with TokenCache(path).locked() as entries:
        entries["k"] = {"secret": "refresh-token"}
    info = os.stat(path)
    assert info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_ino != os.stat(planted).st_ino
    with open(planted) as handle:
        assert handle.read() == "planted"  # never opened for writing


def test_a_cache_owned_by_another_user_is_refused(tmp_path):
    root_only()
    path = str(tmp_path / "tokens.json")
    write_json(path, {"version": 2, "entries": {"k": {"secret": "theirs"}}})
    os.chown(path, OTHER_UID, OTHER_UID)
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(path).locked():
            pass
    message = str(caught.value)
    assert "token_cache_path" in message and "owned by uid %d" % OTHER_UID in message


def test_a_lock_owned_by_another_user_is_refused(tmp_path):
    root_only()
    path = str(tmp_path / "tokens.json")
    with open(path + ".lock", "w"):
        pass
    os.chown(path + ".lock", OTHER_UID, OTHER_UID)
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(path).locked():
            pass
    assert "owned by uid" in str(caught.value)


def test_a_directory_at_the_cache_path_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "tokens.json"
    path.mkdir(mode=0o755)
    os.chmod(str(path), 0o755)
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(str(path)).locked() as entries:
            entries["k"] = {"secret": "a"}
    assert "token_cache_path" in str(caught.value) and "not a regular file" in str(caught.value)
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o755
    assert sorted(os.listdir(str(tmp_path))) == ["tokens.json", "tokens.json.lock"]  # no token-bearing .tmp


@pytest.mark.parametrize("where", ["under_a_file", "under_proc"])
def test_a_path_that_cannot_be_made_names_the_option(tmp_path, where):
    if where == "under_a_file":
        blocker = tmp_path / "hostname"
        blocker.write_text("not a directory")
        path = str(blocker / "csp" / "tokens.json")
    else:
        path = "/proc/csp-onboarding/tokens.json"
    with pytest.raises(InvalidInput) as caught:
        with TokenCache(path).locked() as entries:
            entries["k"] = {"secret": "a"}
    assert str(caught.value).startswith("token_cache_path ")


def test_permission_denied_names_the_option_for_an_unprivileged_user(tmp_path):
    root_only()
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is not installed")
    locked_dir = tmp_path / "root-only"
    locked_dir.mkdir()
    os.chmod(str(locked_dir), 0o755)  # root's: nobody may not create files in it
    os.chmod(str(tmp_path), 0o755)
    collections = _auth.__file__
    for _level in range(5):
        collections = os.path.dirname(collections)
    collections = os.path.dirname(collections)  # the folder that holds ansible_collections/
    code = "\n".join([
        "from ansible_collections.csp.onboarding.plugins.module_utils._auth import TokenCache",
        "from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput",
        "try:",
        "    with TokenCache(%r).locked() as entries:" % str(locked_dir / "tokens.json"),
        "        entries['k'] = {'secret': 'a'}",
        "except InvalidInput as exc:",
        "    print('InvalidInput: %s' % exc)",
    ])
    command = ["setpriv", "--reuid=%d" % OTHER_UID, "--regid=%d" % OTHER_UID, "--clear-groups",
               sys.executable, "-c", code]
    env = dict(os.environ, PYTHONPATH=collections, HOME="/nonexistent")
    probe = subprocess.run(command[:-1] + ["import ansible_collections.csp.onboarding.plugins.module_utils._auth"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                           check=False)
    if probe.returncode:
        pytest.skip("the collection is not readable by uid %d here: %s" % (OTHER_UID, probe.stdout[-300:]))
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          check=False)
    assert done.stdout.startswith("InvalidInput: token_cache_path "), done.stdout
    assert "Permission denied" in done.stdout
    assert os.listdir(str(locked_dir)) == []


def test_a_held_lock_fails_after_the_timeout_naming_the_lock_file(tmp_path):
    path = str(tmp_path / "tokens.json")
    with open(path + ".lock", "w") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        with pytest.raises(LockTimeout) as caught:
            with TokenCache(path, lock_timeout=0.1).locked():
                pass
    assert (path + ".lock") in str(caught.value)
    with TokenCache(path, lock_timeout=0.1).locked():
        pass  # released: the next run gets it


def test_exclusive_lock_is_exclusive_and_leaves_its_file(tmp_path):
    path = str(tmp_path / "state" / "bypass.lock")
    with exclusive_lock(path, timeout=0) as held:
        assert held == path and stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with pytest.raises(LockTimeout):
            with exclusive_lock(path, timeout=0):
                pass
    with exclusive_lock(path, timeout=0):
        pass
    assert os.path.isfile(path)


def test_an_empty_path_keeps_tokens_in_memory_and_writes_no_file(tmp_path, monkeypatch):
    # Wherever a cache could land by mistake (the default location, the working directory), nothing does.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(str(tmp_path))
    for path in ("", None):
        cache = TokenCache(path)
        with cache.locked() as entries:
            entries["k"] = {"secret": "a"}
        with cache.locked() as entries:
            assert entries == {"k": {"secret": "a"}}
    assert os.listdir(str(tmp_path)) == []


def _msal_cache_with(token, tenant, scope, expires_in, now):
    import msal
    cache = msal.SerializableTokenCache()
    cache.add({"client_id": "client-1", "scope": [scope],
               "token_endpoint": "https://login.example.test/%s/oauth2/v2.0/token" % tenant,
               "response": {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}}, now=now)
    return cache


@pytest.mark.parametrize("tenant, scope, expires_in, expected", [
    ("Partner-Tenant", "https://api.partnercenter.microsoft.com/.default", 3600, "AT-1"),  # realm case-insensitive
    ("partner-tenant", "https://api.partnercenter.microsoft.com/.default", 200, None),   # renewed 5 min early
    ("customer-tenant", "https://api.partnercenter.microsoft.com/.default", 3600, None),  # another tenant
    ("partner-tenant", "https://graph.microsoft.com/.default", 3600, None),                # another audience
])
def test_a_valid_cached_token_is_found_without_an_msal_application(tenant, scope, expires_in, expected):
    pytest.importorskip("msal")
    cache = _msal_cache_with("AT-1", tenant, scope, expires_in, now=1000)
    found = _auth._valid_access_token(cache, "client-1", ["https://api.partnercenter.microsoft.com/.default"],
                                      "partner-tenant", now=1001)
    assert found == expected
    assert _auth._valid_access_token(cache, "client-2", [scope], tenant, now=1001) is None
