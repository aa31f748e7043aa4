"""Atomic file writes and staged output folders."""

import pytest

from paperbook.core.artifacts import StagedDir, atomic_write


def test_atomic_write_writes_and_replaces(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write(target, lambda p: p.write_text("one"))
    atomic_write(target, lambda p: p.write_text("two"))
    assert target.read_text() == "two"
    assert sorted(x.name for x in target.parent.iterdir()) == ["out.txt"]


def test_atomic_write_keeps_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def broken(p):
        p.write_text("half-writ")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_staged_dir_is_invisible_until_commit_and_replaces_old_contents(tmp_path):
    final = tmp_path / "02_am_clustering"
    final.mkdir()
    (final / "stale.png").write_text("previous run")
    stage = StagedDir(final)
    stage.path("table.csv").write_text("new")
    assert not (final / "table.csv").exists()
    assert (final / "stale.png").read_text() == "previous run"
    assert stage.commit() == final
    assert sorted(x.name for x in final.iterdir()) == ["table.csv"]
    assert (final / "table.csv").read_text() == "new"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["02_am_clustering"]  # no .partial or .old left


def test_staged_dir_commit_without_previous_folder(tmp_path):
    final = tmp_path / "fresh"
    stage = StagedDir(final)
    stage.path("a.txt").write_text("a")
    stage.commit()
    assert (final / "a.txt").read_text() == "a"


def test_new_staged_dir_removes_stale_partial(tmp_path):
    final = tmp_path / "out"
    partial = tmp_path / "out.partial"
    partial.mkdir()
    (partial / "leftover.png").write_text("interrupted run")
    stage = StagedDir(final)
    assert stage.partial == partial and partial.is_dir()
    assert list(partial.iterdir()) == []


@pytest.mark.parametrize("name", ["sub/file.csv", "/abs.csv", "../escape.csv"])
def test_staged_dir_rejects_names_with_a_slash(tmp_path, name):
    stage = StagedDir(tmp_path / "out")
    with pytest.raises(ValueError):
        stage.path(name)
