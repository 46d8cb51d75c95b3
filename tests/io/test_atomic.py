"""The atomic writer: all or nothing, no clobbering without overwrite, clear path errors."""

import os
import stat

import pytest

from chainrule.errors import ChainruleError
from chainrule.io import OutputExistsError, OutputPathError, atomic_write, check_writable


def leftovers(directory, keep=("out.bin",)):
    return sorted(name for name in os.listdir(directory) if name not in keep)


def test_writes_new_file(tmp_path):
    target = tmp_path / "out.bin"

    with atomic_write(target) as f:
        f.write(b"hello")

    assert target.read_bytes() == b"hello"
    assert leftovers(tmp_path) == []


def test_refuses_to_overwrite_and_names_the_way_out(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    with pytest.raises(OutputExistsError) as info, atomic_write(target) as f:
        f.write(b"new")

    message = str(info.value)
    assert "already exists" in message and "overwrite=True" in message
    assert "--force" in message
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, ChainruleError)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_overwrite_replaces_and_keeps_permissions(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)

    with atomic_write(target, overwrite=True) as f:
        f.write(b"new")

    assert target.read_bytes() == b"new"
    if os.name != "nt":
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_new_file_gets_ordinary_permissions(tmp_path):
    if os.name == "nt":
        pytest.skip("POSIX permission bits")
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.bin") as f:
            f.write(b"x")
    finally:
        os.umask(umask)

    assert stat.S_IMODE(os.stat(tmp_path / "out.bin").st_mode) == 0o644


def test_exception_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    with pytest.raises(RuntimeError, match="boom"), atomic_write(target, overwrite=True) as f:
        f.write(b"half of the new")
        raise RuntimeError("boom")

    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_exception_creates_nothing(tmp_path):
    with pytest.raises(KeyError), atomic_write(tmp_path / "out.bin") as f:
        f.write(b"x")
        raise KeyError("stop")

    assert os.listdir(tmp_path) == []


def test_file_that_appears_meanwhile_is_not_clobbered(tmp_path):
    target = tmp_path / "out.bin"

    with pytest.raises(OutputExistsError, match="already exists"), atomic_write(target) as f:
        f.write(b"mine")
        target.write_bytes(b"someone else's")

    assert target.read_bytes() == b"someone else's"
    assert leftovers(tmp_path) == []


def test_missing_directory_is_named(tmp_path):
    missing = tmp_path / "no" / "such"

    with pytest.raises(OutputPathError) as info, atomic_write(missing / "out.bin") as f:
        f.write(b"x")

    message = str(info.value)
    assert str(missing) in message and "does not exist" in message
    assert "Traceback" not in message
    assert not (tmp_path / "no").exists()


def test_directory_that_is_a_file(tmp_path):
    (tmp_path / "file").write_bytes(b"")

    with pytest.raises(OutputPathError, match="not a directory"), \
            atomic_write(tmp_path / "file" / "out.bin"):
        pass


def test_target_that_is_a_directory(tmp_path):
    with pytest.raises(OutputPathError, match="is a directory"), \
            atomic_write(tmp_path, overwrite=True):
        pass


def test_temp_file_lives_beside_the_target(tmp_path):
    with atomic_write(tmp_path / "out.bin") as f:
        f.write(b"x")
        during = leftovers(tmp_path, keep=())

    assert len(during) == 1
    assert during[0].startswith(".out.bin.") and during[0].endswith(".tmp")
    assert leftovers(tmp_path, keep=()) == ["out.bin"]


def test_bytes_form(tmp_path):
    atomic_write(tmp_path / "out.bin", b"at once")
    atomic_write(tmp_path / "out.bin", bytearray(b"again"), overwrite=True)

    assert (tmp_path / "out.bin").read_bytes() == b"again"
    with pytest.raises(OutputExistsError):
        atomic_write(tmp_path / "out.bin", b"refused")


def test_function_form(tmp_path):
    atomic_write(tmp_path / "out.bin", lambda f: f.write(b"from a function"))

    assert (tmp_path / "out.bin").read_bytes() == b"from a function"


def test_function_that_fails_leaves_nothing(tmp_path):
    def write(f):
        f.write(b"partial")
        raise ValueError("half way")

    with pytest.raises(ValueError, match="half way"):
        atomic_write(tmp_path / "out.bin", write)
    assert os.listdir(tmp_path) == []


def test_text_content_is_refused(tmp_path):
    with pytest.raises(TypeError, match="bytes or a function"):
        atomic_write(tmp_path / "out.bin", "text, not bytes")
    assert os.listdir(tmp_path) == []


def test_check_writable(tmp_path):
    check_writable(tmp_path / "new.bin")
    (tmp_path / "old.bin").write_bytes(b"")
    check_writable(tmp_path / "old.bin", overwrite=True)

    with pytest.raises(OutputExistsError):
        check_writable(tmp_path / "old.bin")
    with pytest.raises(OutputPathError, match="does not exist"):
        check_writable(tmp_path / "missing" / "x.bin")
    assert sorted(os.listdir(tmp_path)) == ["old.bin"]
