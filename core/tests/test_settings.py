from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingsError, load_settings


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'lotse.sqlite'}"
    assert not settings.is_postgres
    assert settings.port == 8000


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"LOTSE_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"LOTSE_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOTSE_PORT", "eighty"), ("LOTSE_PORT", "70000"), ("DATABASE_URL", "mysql://x/y"),
     ("LOTSE_PUBLIC_DIRECTORY", "maybe"), ("LOTSE_SECRET_KEY", "short"),
     ("SEARCH_URL", "ftp://search"), ("LOTSE_OUTBOUND_ALLOW", "10.0.0.0/8, http://intranet/"),
     ("LOTSE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"), ("LOTSE_GEOCODER", "google"),
     ("LOTSE_GEOCODER_URL", "geo.stadt.example"), ("LOTSE_MAP_TILES", "tiles.example/{z}"),
     ("LOTSE_MAP_TILES", "https://tiles.example/tile.png"), ("LOTSE_PUBSUB", "redis"),
     ("LOTSE_PUBSUB", "postgres")],
)
def test_a_wrong_value_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"LOTSE_DATA_DIR": str(tmp_path), name: value})


def test_postgres_url_switches_the_engine(tmp_path: Path) -> None:
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path),
                              "DATABASE_URL": "postgresql://u:p@db:5432/lotse"})
    assert settings.is_postgres


def test_live_notifications_between_processes_go_through_postgres_when_asked(
    tmp_path: Path,
) -> None:
    assert load_settings({"LOTSE_DATA_DIR": str(tmp_path)}).pubsub == "memory"
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_PUBSUB": "postgres",
                              "DATABASE_URL": "postgresql://u:p@db:5432/lotse"})
    assert settings.pubsub == "postgres"


def test_outbound_allow_list_takes_names_and_networks(tmp_path: Path) -> None:
    settings = load_settings(
        {"LOTSE_DATA_DIR": str(tmp_path),
         "LOTSE_OUTBOUND_ALLOW": " exchange.intranet, 10.1.0.0/16,"}
    )
    assert settings.outbound_allow == ("exchange.intranet", "10.1.0.0/16")


def test_a_sqlite_database_in_a_folder_not_made_yet_can_be_opened(tmp_path: Path) -> None:
    import sqlite3

    from piccolo_conf import make_engine

    target = tmp_path / "new" / "data" / "lotse.sqlite"
    engine = make_engine(f"sqlite:///{target}")
    assert target.parent.is_dir()
    sqlite3.connect(target).close()
    assert engine is not None


def test_maps_default_to_openstreetmap_tiles_and_can_be_switched_off(tmp_path: Path) -> None:
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path)})
    assert settings.map_tiles_source == "https://tile.openstreetmap.org"
    assert settings.geocoder_url is None
    off = load_settings({"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_MAP_TILES": "off"})
    assert off.map_tiles == "" and off.map_tiles_source == ""
