"""The SQLite database and the files beside it are the service user's alone (attack run: created 0644, so
every local user could read learners' addresses and the providers' sealed keys)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from core.db import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_file_and_its_wal_and_shm_are_created_0600(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    database = folder / "passport.db"
    previous = os.umask(0o022)  # the usual umask, which gave 0644
    try:
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as connection:  # WAL mode: the -wal and -shm files exist while connected
            connection.execute(text("SELECT x FROM t"))
            companions = [Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(path.exists() for path in companions)
            assert [mode(path) for path in [database, *companions]] == [0o600, 0o600, 0o600]
        engine.dispose()
    finally:
        os.umask(previous)
    assert mode(folder) == 0o700


def test_files_left_readable_by_an_earlier_version_are_tightened(tmp_path: Path) -> None:
    database = tmp_path / "passport.db"
    for path in (database, Path(f"{database}-wal")):
        path.touch()
        path.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600
    assert mode(Path(f"{database}-wal")) == 0o600
