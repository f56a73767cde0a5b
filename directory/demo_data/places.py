"""Districts of Mülheim an der Ruhr with approximate centres, postal codes and transit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    name: str
    latitude: float
    longitude: float
    postal_code: str
    transit: str


DISTRICTS: dict[str, District] = {
    d.name: d
    for d in (
        District("Altstadt I", 51.4283, 6.8826, "45468",
                 "Straßenbahn 102, 104, 110, 112; Haltestelle Stadtmitte"),
        District("Altstadt II", 51.4338, 6.8958, "45468",
                 "Straßenbahn 104, Haltestelle Kaiserplatz; Bus 124"),
        District("Eppinghofen", 51.4372, 6.8852, "45468",
                 "Straßenbahn 102, Haltestelle Eppinghofer Straße; Bus 128"),
        District("Styrum", 51.4531, 6.8562, "45476",
                 "Straßenbahn 112, Haltestelle Styrum Rathaus; S-Bahn S1 und S3, Bahnhof Styrum"),
        District("Dümpten", 51.4562, 6.8941, "45475",
                 "Straßenbahn 102, Haltestelle Mellinghofer Straße; Bus 122"),
        District("Winkhausen", 51.4449, 6.9183, "45473",
                 "Bus 131 und 132, Haltestelle Winkhauser Weg"),
        District("Heißen", 51.4302, 6.9196, "45472",
                 "U-Bahn U18, Haltestelle Heißen Kirche; Bus 133"),
        District("Fulerum", 51.4209, 6.9417, "45472",
                 "Bus 133, Haltestelle Fulerumer Straße"),
        District("Holthausen", 51.4151, 6.8993, "45470",
                 "Bus 135, Haltestelle Zeppelinstraße"),
        District("Menden-Holthausen", 51.4052, 6.9061, "45470",
                 "Bus 134, Haltestelle Mendener Brücke"),
        District("Raadt", 51.4098, 6.9302, "45470",
                 "Bus 134 und 752, Haltestelle Flughafen"),
        District("Saarn", 51.4046, 6.8694, "45481",
                 "Straßenbahn 102, Haltestelle Klostermarkt"),
        District("Broich", 51.4221, 6.8642, "45479",
                 "Straßenbahn 102, 901, Haltestelle Schloss Broich"),
        District("Speldorf", 51.4234, 6.8397, "45478",
                 "Straßenbahn 901, Haltestelle Speldorf Bahnhof"),
        District("Selbeck", 51.3801, 6.8793, "45481",
                 "Bus 136, Haltestelle Selbeck Kirche"),
        District("Mintard", 51.3748, 6.8962, "45481",
                 "Bus 136, Haltestelle Mintard Dorf"),
    )
}

# Streets per district used by the demo (house numbers are invented).
STREETS: dict[str, tuple[str, ...]] = {
    "Altstadt I": ("Schloßstraße", "Leineweberstraße", "Kohlenkamp", "Ruhrstraße",
                   "Friedrich-Ebert-Straße", "Bachstraße", "Viktoriastraße", "Löhberg"),
    "Altstadt II": ("Kaiserstraße", "Aktienstraße", "Dimbeck", "Tourainer Ring"),
    "Eppinghofen": ("Eppinghofer Straße", "Heinrichstraße", "Sandstraße", "Bruchstraße",
                    "Hingbergstraße"),
    "Styrum": ("Oberhausener Straße", "Augustastraße", "Hauskampstraße", "Moritzstraße",
               "Neustadtstraße"),
    "Dümpten": ("Mellinghofer Straße", "Oberheidstraße", "Gracht", "Denkhauser Höfe"),
    "Winkhausen": ("Winkhauser Weg", "Wiescher Weg", "Lierberg"),
    "Heißen": ("Heißener Straße", "Kleiststraße", "Humboldtring", "Hingberg"),
    "Fulerum": ("Fulerumer Straße", "Rembergstraße"),
    "Holthausen": ("Zeppelinstraße", "Holthauser Höfe", "Kolumbusstraße"),
    "Menden-Holthausen": ("Mendener Straße", "Klöttschen"),
    "Raadt": ("Raadter Straße", "Brunshofstraße"),
    "Saarn": ("Düsseldorfer Straße", "Klosterstraße", "Lindgens Höfe", "Kölner Straße"),
    "Broich": ("Duisburger Straße", "Prinzeß-Luise-Straße", "Holzstraße"),
    "Speldorf": ("Hansastraße", "Blumendeller Straße", "Saarner Kirchweg"),
    "Selbeck": ("Selbecker Straße", "Kölner Straße"),
    "Mintard": ("Mintarder Dorfstraße", "August-Thyssen-Straße"),
}

CITY = "Mülheim an der Ruhr"
