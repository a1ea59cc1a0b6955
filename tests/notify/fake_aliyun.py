"""A stand-in for Alibaba Cloud's SMS endpoint (dysmsapi SendSms) on a real loopback socket.

It checks each request as the provider documents it, with its own code (not the adapter's):
the RPC parameters, the Timestamp's freshness, a nonce never used twice, the template and its
variables, and the HMAC-SHA1 signature recomputed from the documented recipe (the Java sample's
URLEncoder, then "+"→"%20", "*"→"%2A", "%7E"→"~"). Tests script failures (`fail_next`) and
read what was accepted (`accepted`)."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCESS_KEY_ID = "LTAI-test-id"
ACCESS_KEY_SECRET = "test-secret-Zx9"
SIGN_NAME = "民心"
REQUIRED = (
    "AccessKeyId",
    "Action",
    "Format",
    "PhoneNumbers",
    "RegionId",
    "SignName",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "TemplateCode",
    "TemplateParam",
    "Timestamp",
    "Version",
    "Signature",
)


def _encode(value: str) -> str:
    encoded = urllib.parse.quote_plus(value, safe="", encoding="utf-8")
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def expected_signature(method: str, params: dict[str, str], secret: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(_encode(k) + "=" + _encode(v) for k, v in pairs)
    to_sign = method + "&" + _encode("/") + "&" + _encode(query)
    mac = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


class FakeAliyun:
    def __init__(self, templates: dict[str, set[str]]) -> None:
        self.templates = templates  # TemplateCode → its variables
        self.accepted: list[dict[str, Any]] = []
        self.requests = 0
        self.fail_next: list[tuple[int, str]] = []  # (HTTP status, Code) answered first
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                status, answer = fake.answer(self.command, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeAliyun":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, body: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            params = {k: v[0] for k, v in urllib.parse.parse_qs(body, strict_parsing=True).items()}
            missing = [k for k in REQUIRED if k not in params]
            if missing:
                return 400, {"Code": "MissingParameter", "Message": ",".join(missing)}
            if params["AccessKeyId"] != ACCESS_KEY_ID:
                return 404, {"Code": "InvalidAccessKeyId.NotFound"}
            fixed = {
                "Action": "SendSms",
                "Version": "2017-05-25",
                "SignatureMethod": "HMAC-SHA1",
                "SignatureVersion": "1.0",
                "Format": "JSON",
            }
            if any(params[k] != v for k, v in fixed.items()):
                return 400, {"Code": "InvalidParameter"}
            sent_at = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
            if abs(datetime.now(UTC) - sent_at) > timedelta(minutes=15):
                return 400, {"Code": "InvalidTimeStamp.Expired"}
            signed = expected_signature(method, params, ACCESS_KEY_SECRET)
            if not hmac.compare_digest(signed, params["Signature"]):
                return 400, {"Code": "SignatureDoesNotMatch"}
            if params["SignatureNonce"] in self._nonces:
                return 400, {"Code": "SignatureNonceUsed"}
            self._nonces.add(params["SignatureNonce"])
            if self.fail_next:
                status, code = self.fail_next.pop(0)
                return status, {"Code": code, "Message": "scripted", "RequestId": "r"}
            if params["SignName"] != SIGN_NAME:
                return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL"}
            variables = self.templates.get(params["TemplateCode"])
            if variables is None:
                return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL"}
            values = json.loads(params["TemplateParam"])
            if set(values) != variables:
                return 200, {"Code": "isv.TEMPLATE_PARAMS_ILLEGAL"}
            if not (params["PhoneNumbers"].isdigit() and len(params["PhoneNumbers"]) == 11):
                return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL"}
            biz_id = f"{900000 + len(self.accepted)}^0"
            self.accepted.append(
                {"phone": params["PhoneNumbers"], "template": params["TemplateCode"], **values}
            )
            return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "r"}
