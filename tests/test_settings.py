"""Settings: defaults → data-folder file → XGAPP_* environment → test overrides."""

from pathlib import Path

import pytest

from xgapp import paths, settings


def _paths(tmp_path):
    return paths.DataPaths(tmp_path).ensure()


def test_defaults_apply_when_nothing_is_configured(tmp_path):
    values, sources = settings.load(_paths(tmp_path), environ={})
    assert values["port"] == 8080 and sources["port"] == "default"
    assert values["database_url"] == "sqlite:///" + (tmp_path / "xgapp.sqlite3").as_posix()


def test_file_then_environment_then_overrides_take_precedence(tmp_path):
    p = _paths(tmp_path)
    p.config_file.write_text('port = 9000\nthreads = 6\ntimezone = "Asia/Urumqi"\n', encoding="utf-8")
    values, sources = settings.load(p, overrides={"threads": 2}, environ={"XGAPP_PORT": "9100"})
    assert (values["port"], sources["port"]) == (9100, "env")
    assert (values["threads"], sources["threads"]) == (2, "test")
    assert (values["timezone"], sources["timezone"]) == ("Asia/Urumqi", "file")


def test_unknown_setting_in_file_is_refused(tmp_path):
    p = _paths(tmp_path)
    p.config_file.write_text("prot = 9000\n", encoding="utf-8")
    with pytest.raises(ValueError, match="prot"):
        settings.load(p, environ={})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    p = _paths(tmp_path)
    first = settings.secret_key(p)
    assert len(first) == 64
    assert settings.secret_key(p) == first


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for s in settings.SETTINGS:
        assert "`%s`" % s.name in readme, s.name
        assert "XGAPP_%s" % s.name.upper() in readme, s.name


def test_data_folder_comes_from_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XGAPP_DATA", str(tmp_path / "env"))
    assert paths.data_dir(str(tmp_path / "arg")) == (tmp_path / "arg").resolve()
    assert paths.data_dir() == (tmp_path / "env").resolve()
    monkeypatch.delenv("XGAPP_DATA")
    assert "xgapp" in str(paths.data_dir())


def test_database_password_is_masked_for_display():
    shown = settings.masked({"database_url": "postgresql://xg:s3cret@db.local:5432/xgapp", "port": 1})
    assert shown["database_url"] == "postgresql://xg:***@db.local:5432/xgapp" and shown["port"] == 1


def test_frozen_executable_uses_a_data_folder_beside_it_when_present(tmp_path, monkeypatch):
    import sys

    monkeypatch.delenv("XGAPP_DATA", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "xgapp.exe"))
    assert paths.data_dir() != (tmp_path / "data").resolve()  # no folder: the per-user one
    (tmp_path / "data").mkdir()
    assert paths.data_dir() == (tmp_path / "data").resolve()  # portable mode


def test_data_folder_inside_the_unpack_folder_is_refused(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with pytest.raises(SystemExit, match="unpack folder"):
        paths.data_dir(str(tmp_path / "data"))


@pytest.mark.parametrize("name, value, says", [
    ("XGAPP_TIMEZONE", "Mars/Base", "time zone"),
    ("XGAPP_PORT", "abc", "whole number"),
    ("XGAPP_PORT", "70000", "1 to 65535"),
    ("XGAPP_THREADS", "0", "1 to 64"),
    ("XGAPP_DEFAULT_LOCALE", "fr", "zh_CN, en"),
    ("XGAPP_SESSION_IDLE_MINUTES", "-5", "1 to"),
    ("XGAPP_REFUND_FEE_PERCENT", "150", "0 to 100"),
    ("XGAPP_LOG_LEVEL", "LOUD", "DEBUG"),
    ("XGAPP_HOST", "the-lan", "IP address"),
    ("XGAPP_DATABASE_URL", "mysql://x", "sqlite:///"),
])
def test_a_bad_setting_is_refused_at_load_naming_the_setting_and_its_source(tmp_path, name, value, says):
    with pytest.raises(settings.SettingError) as refused:
        settings.load(_paths(tmp_path), environ={name: value})
    message = str(refused.value)
    assert name[len("XGAPP_"):].lower() in message and name in message and says in message


def test_a_bad_value_in_the_file_names_the_file(tmp_path):
    p = _paths(tmp_path)
    p.config_file.write_text('port = "8080"\n', encoding="utf-8")
    values, _ = settings.load(p, environ={})  # a number in quotes is still a number
    assert values["port"] == 8080
    p.config_file.write_text("timezone = 8\n", encoding="utf-8")
    with pytest.raises(settings.SettingError, match="timezone .from xgapp.toml"):
        settings.load(p, environ={})
    p.config_file.write_text("port = 80 80\n", encoding="utf-8")
    with pytest.raises(settings.SettingError, match="cannot be read"):
        settings.load(p, environ={})
