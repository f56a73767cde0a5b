"""Writes search/districts.json: the centre of each district, for "distance from" without a
geocoder server.

Usage:
  .venv/bin/python scripts/make_district_centres.py
      the districts of Mülheim an der Ruhr from the demo network's district table
      (directory/demo_data/places.py, the approximate centre of each Stadtteil)
  .venv/bin/python scripts/make_district_centres.py --geocoder URL [--kind photon] \\
      --city "Essen" Altendorf Frohnhausen ...
      another city's districts, each asked once of a Nominatim or Photon server

Run it once when the city changes and commit the file; Lotse reads it at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "search" / "districts.json"


def from_demo_table() -> tuple[str, str, dict[str, tuple[float, float]]]:
    from directory.demo_data.places import CITY, DISTRICTS

    centres = {d.name: (d.latitude, d.longitude) for d in DISTRICTS.values()}
    return CITY, "directory/demo_data/places.py (Stadtteile of the demo city)", centres


def from_geocoder(url: str, kind: str, city: str,
                  names: list[str]) -> tuple[str, str, dict[str, tuple[float, float]]]:
    from search.places import GeopyGeocoder

    geocoder = GeopyGeocoder(url, kind)
    centres: dict[str, tuple[float, float]] = {}
    for name in names:
        place = geocoder.locate(f"{name}, {city}")
        if place is None:
            print(f"not found: {name}", file=sys.stderr)
            continue
        centres[name] = (place.latitude, place.longitude)
    return city, f"{kind} server {url}", centres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--geocoder", help="URL of a Nominatim or Photon server")
    parser.add_argument("--kind", default="nominatim", choices=("nominatim", "photon"))
    parser.add_argument("--city", help="the city whose districts are asked for")
    parser.add_argument("districts", nargs="*", help="district names (with --geocoder)")
    args = parser.parse_args()
    if args.geocoder:
        if not args.city or not args.districts:
            parser.error("--geocoder needs --city and the district names")
        city, source, centres = from_geocoder(args.geocoder, args.kind, args.city,
                                              args.districts)
    else:
        city, source, centres = from_demo_table()
    # One district a line, so that a change reads well in a diff.
    lines = [f"  {json.dumps(name, ensure_ascii=False)}: [{lat:.5f}, {lon:.5f}]"
             for name, (lat, lon) in sorted(centres.items())]
    text = (f'{{\n "city": {json.dumps(city, ensure_ascii=False)},\n'
            f' "source": {json.dumps(source, ensure_ascii=False)},\n'
            ' "districts": {\n' + ",\n".join(lines) + "\n }\n}\n")
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{len(centres)} districts of {city} written to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
