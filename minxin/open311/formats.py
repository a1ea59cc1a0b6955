"""GeoReport v2 documents in JSON and XML, from the same plain data.

A document is a list (or a dict, for discovery and service definitions) of dicts whose values
are strings, numbers, booleans, None or nested lists/dicts. XML is written with ElementTree,
which escapes text; characters that XML 1.0 cannot carry at all (control characters) are
dropped, so a stored oddity can never make the document unreadable."""

import json
import re
import xml.etree.ElementTree as ET  # builds XML, parses none  # nosec B405
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django.http import HttpResponse

Format = Literal["json", "xml"]

# The standard's element names: a list under key K holds elements named ITEM[K].
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_requests": "request",
    "service_request_updates": "request_update",
}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any, *, key: str) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _xml_fill(ET.SubElement(element, k), v, key=k)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _xml_fill(ET.SubElement(element, ITEM.get(key, "item")), item, key="")
    else:
        element.text = xml_text(value)


def xml_document(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _xml_fill(element, data, key=root)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def document_response(fmt: Format, *, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`root` names the XML root (services, service_requests, ...); JSON is `data` itself."""
    if fmt == "xml":
        return HttpResponse(
            xml_document(root, data), content_type="text/xml; charset=utf-8", status=status
        )
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(
        body.encode(), content_type="application/json; charset=utf-8", status=status
    )


def errors_response(fmt: Format, *, status: int, description: str) -> HttpResponse:
    """The standard's error list: `[{"code": 400, "description": "..."}]` / <errors><error>."""
    return document_response(
        fmt, root="errors", data=[{"code": status, "description": description}], status=status
    )
