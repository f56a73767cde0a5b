"""Settings from the environment, parsed strictly: a wrong value stops start-up, naming it."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?\.?")


class SettingsError(ValueError):
    """A setting has a value Lotse cannot use; the message names the variable."""


def _text(env: dict[str, str], name: str, default: str) -> str:
    return env.get(name, default).strip() or default


def _int(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'lotse.sqlite'}"
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgresql", "postgres"}:
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:/// or postgresql://, got scheme {scheme!r}"
        )
    return raw


def _optional_url(env: dict[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in {"http", "https"}:
        raise SettingsError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _outbound_allow(env: dict[str, str]) -> tuple[str, ...]:
    """Host names and CIDR networks, comma-separated, that outbound requests may reach."""
    entries = tuple(e.strip() for e in env.get("LOTSE_OUTBOUND_ALLOW", "").split(",") if e.strip())
    for entry in entries:
        try:
            ip_network(entry, strict=False)
        except ValueError:
            if not _HOST_NAME.fullmatch(entry):
                raise SettingsError(
                    f"LOTSE_OUTBOUND_ALLOW takes host names or networks (10.1.0.0/16), "
                    f"got {entry!r}"
                ) from None
    return entries
Network = IPv4Network | IPv6Network


def parse_networks(name: str, raw: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR ranges ("10.0.0.0/8, ::1"); empty gives none."""
    networks = []
    for part in (item.strip() for item in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or ranges like 10.0.0.0/8, got {part!r}"
            ) from None
    return tuple(networks)


def _secret_key(env: dict[str, str], data_dir: Path) -> str:
    raw = env.get("LOTSE_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError("LOTSE_SECRET_KEY must be at least 32 characters long")
        return raw
    # First start without a configured key: generate one and keep it beside the data.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _master_key(env: dict[str, str]) -> str | None:
    raw = env.get("LOTSE_MASTER_KEY", "").strip()
    if raw and len(raw) < 32:
        raise SettingsError("LOTSE_MASTER_KEY must be at least 32 characters long")
    return raw or None


def _previous_master_key(env: dict[str, str], current: str | None) -> str | None:
    """The master key being rotated away from (`lotse keys rotate`); unset otherwise."""
    raw = env.get("LOTSE_MASTER_KEY_PREVIOUS", "").strip()
    if not raw:
        return None
    if len(raw) < 32:
        raise SettingsError("LOTSE_MASTER_KEY_PREVIOUS must be at least 32 characters long")
    if current is None or raw == current:
        raise SettingsError(
            "LOTSE_MASTER_KEY_PREVIOUS is the old key while rotating: set LOTSE_MASTER_KEY to "
            "the new one, different from it"
        )
    return raw


DEFAULT_MAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_MAP_ATTRIBUTION = "© OpenStreetMap-Mitwirkende (openstreetmap.org/copyright)"


def _geocoder_kind(env: dict[str, str]) -> str:
    raw = _text(env, "LOTSE_GEOCODER", "nominatim").lower()
    if raw not in {"nominatim", "photon"}:
        raise SettingsError(f"LOTSE_GEOCODER must be nominatim or photon, got {raw!r}")
    return raw


def _map_tiles(env: dict[str, str]) -> str:
    """A tile URL template with {z}, {x} and {y} ({s} for sub-domains), or "off"."""
    raw = _text(env, "LOTSE_MAP_TILES", DEFAULT_MAP_TILES)
    if raw.lower() == "off":
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(f"LOTSE_MAP_TILES must be an http(s) URL or off, got {raw!r}")
    if not all(mark in raw for mark in ("{z}", "{x}", "{y}")):
        raise SettingsError(f"LOTSE_MAP_TILES must contain {{z}}, {{x}} and {{y}}, got {raw!r}")
    return raw


def _log_format(env: dict[str, str]) -> str:
    raw = _text(env, "LOTSE_LOG_FORMAT", "text").lower()
    if raw not in {"text", "json"}:
        raise SettingsError(f"LOTSE_LOG_FORMAT must be text or json, got {raw!r}")
    return raw


def _keystore_url(env: dict[str, str], data_dir: Path, database_url: str) -> str:
    raw = env.get("LOTSE_KEYSTORE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'keys' / 'client_keys.sqlite'}"
    if urlsplit(raw).scheme not in {"sqlite", "postgresql", "postgres"}:
        raise SettingsError("LOTSE_KEYSTORE_URL must start with sqlite:/// or postgresql://")
    # Keys inside the main database would sit in its backups: erasure could not reach them.
    if raw.rstrip("/") == database_url.rstrip("/"):
        raise SettingsError("LOTSE_KEYSTORE_URL must name a database other than DATABASE_URL")
    return raw


def _cors_origins(env: dict[str, str]) -> tuple[str, ...]:
    """Web origins (``https://host[:port]``) that may read the HSDS API from a browser, or ``*``."""
    origins = []
    for item in env.get("LOTSE_HSDS_CORS_ORIGINS", "").split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if origin != "*" and (
            not origin.startswith(("http://", "https://")) or "/" in origin.split("://", 1)[1]
        ):
            raise SettingsError(
                "LOTSE_HSDS_CORS_ORIGINS must list origins such as https://karte.example.de "
                f"(scheme and host, no path) or *, got {origin!r}"
            )
        origins.append(origin)
    return tuple(origins)


def _pubsub(env: dict[str, str], database_url: str) -> str:
    raw = _text(env, "LOTSE_PUBSUB", "memory").lower()
    if raw not in {"memory", "postgres"}:
        raise SettingsError(f"LOTSE_PUBSUB must be memory or postgres, got {raw!r}")
    if raw == "postgres" and not database_url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("LOTSE_PUBSUB=postgres needs DATABASE_URL to name a PostgreSQL "
                            "database; with SQLite leave it at memory")
    return raw


def _metrics_token(env: dict[str, str]) -> str | None:
    raw = env.get("LOTSE_METRICS_TOKEN", "").strip()
    if raw and len(raw) < 24:
        raise SettingsError("LOTSE_METRICS_TOKEN must be at least 24 characters long")
    return raw or None


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    search_url: str | None = None
    search_api_key: str | None = None
    # Facet counts, text queries and radius filters the embedded index remembers until it
    # changes, of each this many (0: none; for benchmarks).
    search_cache: int = 128
    capacity_stale_days: int = 30
    answer_deadline_days: int = 5
    public_directory: bool = False
    hsds_public: bool = False
    # Browser origins that may read the HSDS API (CORS); empty: none, "*": any.
    hsds_cors_origins: tuple[str, ...] = ()
    run_dispatcher: bool = True
    # How live notifications reach the streams of other processes: "memory" (this process
    # only) or "postgres" (LISTEN/NOTIFY, for several processes).
    pubsub: str = "memory"
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "lotse@localhost"
    retention_days: int = 730
    calendar_fetch_private: bool = False
    # Host names and networks of internal systems that webhooks and calendars may reach.
    outbound_allow: tuple[str, ...] = ()
    debug: bool = False
    db_pool: bool = True
    db_pool_size: int = 10
    # How long a process may answer from its memory who a credential belongs to; at most 1 s,
    # so a revocation, deactivation or log-out reaches every process within a second.
    auth_cache_ms: int = 500
    # Wraps the per-client data keys; falls back to secret_key when unset.
    master_key: str | None = None
    # The old master key while `lotse keys rotate` re-wraps the client keys; unset afterwards.
    master_key_previous: str | None = None
    keystore_url: str = ""
    # Reverse proxies whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[Network, ...] = ()
    # Backups: the PostgreSQL client programs, and how long a key-store snapshot may be restored.
    pg_dump: str = "pg_dump"
    pg_restore: str = "pg_restore"
    key_backup_days: int = 30
    # "json": one JSON object per log line, with the request id.
    log_format: str = "text"
    # Bearer token for /metrics; unset: only unproxied requests from loopback may read it.
    metrics_token: str | None = None
    # Bounds of one .ics import (upload or subscription), checked before and while it is read.
    ics_max_bytes: int = 2_000_000
    ics_max_components: int = 5_000
    ics_max_occurrences: int = 5_000
    ics_horizon_years: int = 2
    # The city's Nominatim or Photon server for addresses; unset: postcodes and districts only.
    geocoder_url: str | None = None
    geocoder_kind: str = "nominatim"
    # Map tiles ({z}/{x}/{y} URL template; empty: maps show the places without a background).
    map_tiles: str = DEFAULT_MAP_TILES
    map_attribution: str = DEFAULT_MAP_ATTRIBUTION
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def is_https(self) -> bool:
        """Served over HTTPS (by its public address): cookies get `Secure`, responses HSTS."""
        return self.base_url.startswith("https://")

    @property
    def map_tiles_source(self) -> str:
        """The tile server as a Content-Security-Policy source ("https://*.tile.example")."""
        if not self.map_tiles:
            return ""
        parts = urlsplit(self.map_tiles.replace("{s}", "sub-domain"))
        host = (parts.hostname or "").replace("sub-domain", "*")
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(_text(env, "LOTSE_DATA_DIR", "./var")).resolve()
    host = _text(env, "LOTSE_HOST", "127.0.0.1")
    port = _int(env, "LOTSE_PORT", 8000, 1, 65535)
    smtp_host = env.get("LOTSE_SMTP_HOST", "").strip() or None
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_key=_secret_key(env, data_dir),
        host=host,
        port=port,
        base_url=(_optional_url(env, "LOTSE_BASE_URL") or served_url(host, port)),
        search_url=_optional_url(env, "SEARCH_URL"),
        search_api_key=env.get("SEARCH_API_KEY", "").strip() or None,
        search_cache=_int(env, "LOTSE_SEARCH_CACHE", 128, 0, 100_000),
        capacity_stale_days=_int(env, "LOTSE_CAPACITY_STALE_DAYS", 30, 1, 3650),
        answer_deadline_days=_int(env, "LOTSE_ANSWER_DEADLINE_DAYS", 5, 1, 60),
        public_directory=_bool(env, "LOTSE_PUBLIC_DIRECTORY", False),
        hsds_public=_bool(env, "LOTSE_HSDS_PUBLIC", False),
        hsds_cors_origins=_cors_origins(env),
        run_dispatcher=_bool(env, "LOTSE_RUN_DISPATCHER", True),
        pubsub=_pubsub(env, _database_url(env, data_dir)),
        smtp_host=smtp_host,
        smtp_port=_int(env, "LOTSE_SMTP_PORT", 25, 1, 65535),
        mail_from=_text(env, "LOTSE_MAIL_FROM", "lotse@localhost"),
        retention_days=_int(env, "LOTSE_RETENTION_DAYS", 730, 1, 36500),
        calendar_fetch_private=_bool(env, "LOTSE_CALENDAR_FETCH_PRIVATE", False),
        outbound_allow=_outbound_allow(env),
        debug=_bool(env, "LOTSE_DEBUG", False),
        db_pool=_bool(env, "LOTSE_DB_POOL", True),
        db_pool_size=_int(env, "LOTSE_DB_POOL_SIZE", 10, 1, 200),
        auth_cache_ms=_int(env, "LOTSE_AUTH_CACHE_MS", 500, 0, 1000),
        master_key=_master_key(env),
        master_key_previous=_previous_master_key(env, _master_key(env)),
        log_format=_log_format(env),
        metrics_token=_metrics_token(env),
        keystore_url=_keystore_url(env, data_dir, _database_url(env, data_dir)),
        trusted_proxies=parse_networks("LOTSE_TRUSTED_PROXIES",
                                       env.get("LOTSE_TRUSTED_PROXIES", "")),
        ics_max_bytes=_int(env, "LOTSE_ICS_MAX_BYTES", 2_000_000, 1_000, 50_000_000),
        ics_max_components=_int(env, "LOTSE_ICS_MAX_COMPONENTS", 5_000, 1, 100_000),
        ics_max_occurrences=_int(env, "LOTSE_ICS_MAX_OCCURRENCES", 5_000, 1, 100_000),
        ics_horizon_years=_int(env, "LOTSE_ICS_HORIZON_YEARS", 2, 1, 10),
        pg_dump=_text(env, "LOTSE_PG_DUMP", "pg_dump"),
        pg_restore=_text(env, "LOTSE_PG_RESTORE", "pg_restore"),
        key_backup_days=_int(env, "LOTSE_KEY_BACKUP_DAYS", 30, 1, 365),
        geocoder_url=_optional_url(env, "LOTSE_GEOCODER_URL"),
        geocoder_kind=_geocoder_kind(env),
        map_tiles=_map_tiles(env),
        map_attribution=_text(env, "LOTSE_MAP_ATTRIBUTION", DEFAULT_MAP_ATTRIBUTION),
    )


def served_url(host: str, port: int) -> str:
    """The address where Lotse listens, the base URL when LOTSE_BASE_URL is not set."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def serve_at(host: str, port: int) -> Settings:
    """`lotse serve` listens at host:port: this process and the workers it starts read them as
    LOTSE_HOST and LOTSE_PORT, so links in mails, feeds and APIs name the port actually served."""
    os.environ["LOTSE_HOST"] = host
    os.environ["LOTSE_PORT"] = str(port)
    get_settings.cache_clear()
    return get_settings()
