"""A drive's areas drawn as an SVG map from its own GeoJSON, shaded by how many stories
each holds: no tile server, no third-party script, nothing fetched."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stories.domain import coverage

WIDTH = 320  # the SVG's user units; it scales to its box


@dataclass(frozen=True)
class Shape:
    key: str
    name: str
    path: str  # SVG path data
    count: str  # suppressed
    shade: float  # 0..1, from the rounded count


def _rings(geometry: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    else:
        for polygon in geometry["coordinates"]:
            yield from polygon


def _projection(features: Sequence[Mapping[str, Any]]) -> tuple[Any, float]:
    """Equirectangular, longitudes shrunk by the cosine of the mean latitude (at a
    municipality's scale that keeps shapes true); returns it and the map's height."""
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * squeeze or 1e-9
    span_y = (max(lats) - min(lats)) or 1e-9
    scale = WIDTH / span_x

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min(lons)) * squeeze * scale, (max(lats) - lat) * scale

    return project, span_y * scale


def draw(
    areas: Mapping[str, Any], names: Mapping[str, str], counts: Mapping[str, int]
) -> tuple[list[Shape], float]:
    """Shapes for each area (``names`` by key, in the reader's language) and the map's
    height in user units; areas with fewer than five stories are shaded as none."""
    features = list((areas or {}).get("features", []))
    if not features:
        return [], 0.0
    project, height = _projection(features)
    top = max((coverage.rounded(n) for n in counts.values()), default=0) or 1
    shapes = []
    for feature in features:
        key = feature["properties"]["key"]
        parts = []
        for ring in _rings(feature["geometry"]):
            xy = [project(lon, lat) for lon, lat, *_ in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        n = counts.get(key, 0)
        shapes.append(
            Shape(
                key,
                names.get(key, key),
                "".join(parts),
                coverage.suppressed(n),
                coverage.rounded(n) / top,
            )
        )
    return shapes, round(height, 1)
