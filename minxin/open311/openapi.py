"""The OpenAPI 3 contract of the JSON endpoints: served at /open311/v2/openapi.json for
integrators, and the schema the fuzzing test holds the server to."""

from typing import Any

_STR = {"type": "string"}
_NULLABLE_STR = {"type": "string", "nullable": True}
_ERRORS = {
    "description": "错误列表（GeoReport v2 格式）",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ERRORS for code in codes}


def _ok(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


_JURISDICTION = _query("jurisdiction_id", "本区的 jurisdiction_id（可省略）")
_PAGE = [
    _query("page", "页码（扩展），从1开始"),
    _query("page_size", "每页条数（扩展），最多1000，默认1000"),
]
_WINDOW = [
    _query("start_date", "W3C 时间，如 2026-01-01T00:00:00+08:00"),
    _query("end_date", "W3C 时间；与 start_date 相隔不超过90天"),
]


def openapi_document(*, server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "民心 Open311 GeoReport v2",
            "version": "2",
            "description": "诉求受理的 Open311 GeoReport v2 接口（JSON）；同样的路径以 .xml "
            "结尾返回 XML。",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/discovery.json": {
                "get": {
                    "operationId": "discovery",
                    "parameters": [],
                    "responses": {
                        "200": _ok("#/components/schemas/Discovery", "服务发现"),
                        **_errors(429),
                    },
                }
            },
            "/services.json": {
                "get": {
                    "operationId": "services",
                    "parameters": [_JURISDICTION],
                    "responses": {
                        "200": _ok("#/components/schemas/Services", "服务（诉求分类）列表"),
                        **_errors(404, 429),
                    },
                }
            },
            "/services/{service_code}.json": {
                "get": {
                    "operationId": "serviceDefinition",
                    "parameters": [
                        {
                            "name": "service_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 20},
                        },
                        _JURISDICTION,
                    ],
                    "responses": {
                        "200": _ok("#/components/schemas/ServiceDefinition", "服务定义"),
                        **_errors(404, 429),
                    },
                }
            },
            "/requests.json": {
                "get": {
                    "operationId": "requests",
                    "parameters": [
                        _query("service_request_id", "受理编号，可逗号分隔多个；优先于其他条件"),
                        _query("service_code", "服务代码，可逗号分隔多个"),
                        *_WINDOW,
                        _query("status", "open 或 closed，可逗号分隔"),
                        *_PAGE,
                        _JURISDICTION,
                    ],
                    "responses": {
                        "200": _ok("#/components/schemas/ServiceRequests", "诉求列表"),
                        **_errors(400, 404, 429),
                    },
                },
                "post": {
                    "operationId": "createRequest",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "重试时原样提交同一键，返回首次结果（docs/open311.md）",
                            "schema": {
                                "type": "string",
                                "pattern": "^[\\x21-\\x7e]{1,255}$",
                            },
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/NewRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": _ok("#/components/schemas/Created", "已受理"),
                        **_errors(400, 403, 404, 413, 415, 422, 429),
                    },
                },
            },
            "/requests/{service_request_id}.json": {
                "get": {
                    "operationId": "request",
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 20},
                        },
                        _JURISDICTION,
                    ],
                    "responses": {
                        "200": _ok("#/components/schemas/ServiceRequests", "一件诉求"),
                        **_errors(404, 429),
                    },
                }
            },
            "/tokens/{token}.json": {
                "get": {
                    "operationId": "token",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 40},
                        },
                        _JURISDICTION,
                    ],
                    "responses": {
                        "200": _ok("#/components/schemas/Tokens", "令牌对应的受理编号"),
                        **_errors(404, 429),
                    },
                }
            },
            "/servicerequestupdates.json": {
                "get": {
                    "operationId": "serviceRequestUpdates",
                    "parameters": [*_WINDOW, *_PAGE, _JURISDICTION],
                    "responses": {
                        "200": _ok("#/components/schemas/Updates", "诉求进展（mySociety 扩展）"),
                        **_errors(400, 404, 429),
                    },
                }
            },
        },
        "components": {"schemas": _SCHEMAS},
    }


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


_DATETIME = {"type": "string", "format": "date-time"}
_SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "array",
        "minItems": 1,
        "items": _object({"code": {"type": "integer"}, "description": _STR}),
    },
    "Discovery": _object(
        {
            "changeset": _STR,
            "contact": _STR,
            "key_service": _STR,
            "endpoints": {
                "type": "array",
                "items": _object(
                    {
                        "specification": _STR,
                        "url": _STR,
                        "changeset": _STR,
                        "type": _STR,
                        "formats": {"type": "array", "items": _STR},
                    }
                ),
            },
        }
    ),
    "Services": {
        "type": "array",
        "items": _object(
            {
                "service_code": _STR,
                "service_name": _STR,
                "description": _STR,
                "metadata": {"type": "boolean"},
                "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                "keywords": _STR,
                "group": _STR,
            }
        ),
    },
    "ServiceDefinition": _object(
        {
            "service_code": _STR,
            "attributes": {
                "type": "array",
                "items": _object(
                    {
                        "variable": {"type": "boolean"},
                        "code": _STR,
                        "datatype": _STR,
                        "required": {"type": "boolean"},
                        "datatype_description": _STR,
                        "order": {"type": "integer"},
                        "description": _STR,
                        "values": {
                            "type": "array",
                            "items": _object({"key": _STR, "name": _STR}),
                        },
                    }
                ),
            },
        }
    ),
    "ServiceRequests": {
        "type": "array",
        "items": _object(
            {
                "service_request_id": _STR,
                "status": {"type": "string", "enum": ["open", "closed"]},
                "status_notes": _STR,
                "service_name": _STR,
                "service_code": _STR,
                "description": _STR,
                "agency_responsible": _STR,
                "service_notice": _STR,
                "requested_datetime": _DATETIME,
                "updated_datetime": _DATETIME,
                "expected_datetime": {**_DATETIME, "nullable": True},
                "address": _STR,
                "address_id": _STR,
                "zipcode": _STR,
                "lat": {"type": "number", "nullable": True},
                "long": {"type": "number", "nullable": True},
                "media_url": _STR,
            }
        ),
    },
    "Tokens": {
        "type": "array",
        "items": _object({"service_request_id": _STR, "token": _STR}),
    },
    "Created": {
        "type": "array",
        "items": _object(
            {
                "service_request_id": _STR,
                "token": _STR,
                "service_notice": _STR,
                "account_id": _NULLABLE_STR,
            }
        ),
    },
    "Updates": {
        "type": "array",
        "items": _object(
            {
                "update_id": _STR,
                "service_request_id": _STR,
                "status": {"type": "string", "enum": ["open", "closed"]},
                "updated_datetime": _DATETIME,
                "description": _STR,
                "media_url": _STR,
            }
        ),
    },
    "NewRequest": _object(
        {
            "api_key": _STR,
            "jurisdiction_id": _STR,
            "service_code": _STR,
            "lat": _STR,
            "long": _STR,
            "address_string": _STR,
            "address_id": _STR,
            "email": _STR,
            "device_id": _STR,
            "account_id": _STR,
            "first_name": _STR,
            "last_name": _STR,
            "phone": _STR,
            "description": _STR,
            "media_url": _STR,
            "attribute[kind]": _STR,
        },
        required=["api_key", "service_code"],
    ),
}
