"""GeoJSON documents for the boundary tests."""

import json
from typing import Any


def square(x: float, y: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


# A bow tie: the ring crosses itself at (112.905, 28.205).
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[112.9, 28.2], [112.91, 28.21], [112.91, 28.2], [112.9, 28.21], [112.9, 28.2]]
    ],
}
