"""The slip's small map of the place, drawn by `staticmap` from the configured tile server.

Optional: with LOTSE_MAP_TILES off, without coordinates, or when the tile server does not
answer in time, the slip simply has no map (a client can still read the address).
"""

from __future__ import annotations

import base64
import io
import logging

import anyio.to_thread

from settings import get_settings

log = logging.getLogger(__name__)
WIDTH, HEIGHT, ZOOM = 480, 220, 16
TIMEOUT_SECONDS = 3


def map_png(latitude: float, longitude: float, tile_url: str) -> bytes:
    """The place in the middle of a street map, marked with a ring."""
    from staticmap import CircleMarker, StaticMap  # as WeasyPrint: only where a map is drawn

    drawing = StaticMap(WIDTH, HEIGHT, url_template=tile_url,
                        tile_request_timeout=TIMEOUT_SECONDS,
                        headers={"User-Agent": "Lotse referral slip"})
    drawing.add_marker(CircleMarker((longitude, latitude), "#ffffff", 18))
    drawing.add_marker(CircleMarker((longitude, latitude), "#b00020", 12))
    image = drawing.render(zoom=ZOOM)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


async def map_data_uri(latitude: float | None, longitude: float | None) -> str:
    """The map as a data: URI for the sheet, "" when there is none to draw."""
    tile_url = get_settings().map_tiles.replace("{s}", "a")
    if not tile_url or latitude is None or longitude is None:
        return ""
    try:
        png = await anyio.to_thread.run_sync(map_png, latitude, longitude, tile_url)
    # Any failure of the tile server (refused, slow, broken tiles): the slip has no map.
    except Exception as error:
        log.warning("slip map left out: %s", error)
        return ""
    return "data:image/png;base64," + base64.b64encode(png).decode()
