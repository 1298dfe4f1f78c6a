"""core.changes: the counter moves with the change's own commit, and never for a change rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.changes import Changes, current_version, record_change
from core.db import make_engine, session_factory, transaction


def fail_after_recording(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        record_change(session)
        raise RuntimeError("the change fails")


def test_a_change_bumps_the_counter_in_its_own_commit_and_a_rollback_does_not(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    try:
        with transaction(sessions) as session:
            before = current_version(session)
        with transaction(sessions) as session:
            record_change(session)
            record_change(session)  # twice in one transaction: one change
        with pytest.raises(RuntimeError):
            fail_after_recording(sessions)
        with transaction(sessions) as session:
            pass  # a later transaction of another session records nothing
        with transaction(sessions) as session:
            assert current_version(session) == before + 1
    finally:
        engine.dispose()


def test_a_process_remembers_the_newest_counter_any_session_read(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    changes = Changes()
    try:
        with transaction(sessions) as stale:
            version = changes.observe(stale)
            assert changes.version_of(stale) == version
            assert changes.current(version)
            with transaction(sessions) as writer:
                record_change(writer)
            with Session(engine) as reader:
                assert changes.observe(reader) == version + 1
            assert not changes.current(version)  # read before the change: not to be served any more
            assert changes.version_of(stale) == version  # what the stale session read stays dated so
    finally:
        engine.dispose()
