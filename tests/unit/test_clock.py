"""The one clock (ARCHITECTURE rule 11): now and today in the configured zone, frozen in
tests; the zone and the lock wait come from the settings; nothing else reads the
computer's clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import qstui
from qstui.config import ConfigError, load_settings
from qstui.db.engine import DEFAULT_LOCK_TIMEOUT, DEFAULT_SERVER_TIMEOUT
from qstui.domain import calendar as cal
from qstui.domain import clock

SRC = Path(qstui.__file__).parent


@pytest.fixture(autouse=True)
def _clock_as_it_was():
    zone, frozen = clock.zone(), clock.frozen()
    yield
    clock.set_zone(zone)
    if frozen is None:
        clock.unfreeze()
    else:
        clock.freeze(frozen)


def test_a_running_clock_tells_the_time_in_the_zone():
    clock.unfreeze()
    clock.set_zone("+03:00")
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    now = clock.utcnow()
    after = datetime.now(UTC).replace(tzinfo=None)
    assert before <= now <= after and now.microsecond == 0 and now.tzinfo is None
    local = clock.local_now()
    assert local - clock.utcnow() in (timedelta(hours=3), timedelta(hours=3, seconds=-1))
    assert clock.today() in (local.date(), (local + timedelta(seconds=1)).date())


def test_a_frozen_clock_shows_the_local_time_it_was_frozen_at():
    clock.unfreeze()
    clock.set_zone("+03:00")
    with clock.freeze(datetime(2026, 12, 31, 23, 30, 15, 999)) as frozen:
        assert isinstance(frozen, clock.Frozen)
        assert clock.local_now() == datetime(2026, 12, 31, 23, 30, 15)
        assert clock.utcnow() == datetime(2026, 12, 31, 20, 30, 15)
        assert clock.today() == date(2026, 12, 31)
        clock.set_zone("-05:00")  # local time stays; the stored moment follows the zone
        assert clock.today() == date(2026, 12, 31)
        assert clock.utcnow() == datetime(2027, 1, 1, 4, 30, 15)
        with clock.freeze(datetime(2027, 3, 1, 9, 0)):
            assert clock.today() == date(2027, 3, 1)
        assert clock.local_now() == datetime(2026, 12, 31, 23, 30, 15)  # the outer again
    assert clock.frozen() is None


def test_an_aware_moment_is_frozen_as_local_time():
    clock.set_zone("+03:00")
    clock.freeze(datetime(2026, 11, 30, 21, 30, tzinfo=UTC))
    assert clock.local_now() == datetime(2026, 12, 1, 0, 30)
    assert clock.today() == date(2026, 12, 1)
    clock.unfreeze()
    assert clock.frozen() is None


def test_zones_by_name_and_by_offset():
    assert clock.parse_zone("") is None and clock.parse_zone(None) is None
    assert clock.parse_zone("UTC") is UTC
    assert clock.parse_zone("+03:00") == timezone(timedelta(hours=3))
    assert clock.parse_zone("GMT-0530") == timezone(-timedelta(hours=5, minutes=30))
    with pytest.raises(ValueError):
        clock.parse_zone("Nowhere/Atlantis")
    clock.set_zone("+03:00")
    assert cal.local_day(datetime(2026, 11, 30, 21, 0)) == date(2026, 12, 1)
    assert cal.day_start(date(2026, 12, 1)) == datetime(2026, 11, 30, 21, 0)
    assert clock.configure("Nowhere/Atlantis") is False and clock.zone() is None
    assert clock.configure("+05:00") is True
    assert clock.zone() == timezone(timedelta(hours=5))


def test_the_zone_and_the_lock_wait_are_settings(tmp_path):
    config = tmp_path / "config.toml"
    env = {"QSTUI_CONFIG": str(config), "QSTUI_DATA_DIR": str(tmp_path)}
    plain = load_settings(env=env)
    assert plain.tz is None and plain.lock_timeout == DEFAULT_LOCK_TIMEOUT
    config.write_text('tz = "Europe/Moscow"\nlock_timeout = 3\n', encoding="utf-8")
    from_file = load_settings(env=env)
    assert (from_file.tz, from_file.lock_timeout) == ("Europe/Moscow", 3)
    from_env = load_settings(env={**env, "QSTUI_TZ": "+03:00", "QSTUI_LOCK_TIMEOUT": "25"})
    assert (from_env.tz, from_env.lock_timeout) == ("+03:00", 25)
    with pytest.raises(ConfigError, match="QSTUI_LOCK_TIMEOUT"):
        load_settings(env={**env, "QSTUI_LOCK_TIMEOUT": "soon"})
    config.write_text("lock_timeout = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lock_timeout"):
        load_settings(env=env)


def test_the_wait_for_a_silent_server_is_a_setting(tmp_path):
    config = tmp_path / "config.toml"
    env = {"QSTUI_CONFIG": str(config), "QSTUI_DATA_DIR": str(tmp_path)}
    assert load_settings(env=env).server_timeout == DEFAULT_SERVER_TIMEOUT == 30
    config.write_text("server_timeout = 12\n", encoding="utf-8")
    assert load_settings(env=env).server_timeout == 12
    assert load_settings(env={**env, "QSTUI_SERVER_TIMEOUT": "5"}).server_timeout == 5
    for wrong in ("0", "soon", "-3"):
        with pytest.raises(ConfigError, match=r"QSTUI_SERVER_TIMEOUT .*at least 1"):
            load_settings(env={**env, "QSTUI_SERVER_TIMEOUT": wrong})


def test_the_cli_configures_the_clock_from_the_settings(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from qstui.cli.main import cli

    monkeypatch.setenv("QSTUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("QSTUI_TZ", "+04:00")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "db", "--help"])
    assert result.exit_code == 0, result.output
    assert clock.zone() == timezone(timedelta(hours=4))


def test_nothing_else_reads_the_computers_clock():
    """``date.today()``, ``datetime.now()``, ``datetime.utcnow()``: the clock only; one
    definition of ``today`` and ``utcnow``."""
    reads = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(")
    defines = re.compile(r"^\s*def (?:today|utcnow|now_utc|utc_now)\(", re.MULTILINE)
    found, defined = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(SRC))
        found += [name for _ in reads.finditer(text)]
        defined += [name for _ in defines.finditer(text)]
    assert sorted(set(found)) == ["domain/clock.py"]
    assert defined == ["domain/clock.py", "domain/clock.py"]
