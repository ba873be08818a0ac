"""BatchWriteItem to DynamoDB Local over raw keep-alive HTTP.

Against DynamoDB Local the loader and the server share this machine's two cores, so
every microsecond the client spends is one the server does not get. Profiled
(py-spy, 100,000 items): botocore's per-request work (event hooks, signing, urllib3,
header parsing) was about 1.5 ms of CPU a call, 60 us an item, the loader's largest
cost. On a loopback endpoint the loader therefore sends its already-encoded body
itself: one ``http.client`` connection per thread, kept alive, and the access key in
the Authorization header (DynamoDB Local reads it to choose the database and checks
no signature). The client's ``before-call`` hooks still run first, exactly as
botocore runs them, so injected faults behave the same; errors become the same
``ClientError`` and connection failures the same botocore exceptions.

Only BatchWriteItem goes this way, and only to plain-HTTP loopback endpoints: AWS
itself (TLS, proxies, signatures, credential refresh) always goes through botocore.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

OPERATION = "BatchWriteItem"


class LocalBatchWriter:
    def __init__(self, client: Any, access_key: str, *, timeout: float = 60) -> None:
        url = urlparse(client.meta.endpoint_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"not a plain-HTTP endpoint: {client.meta.endpoint_url}")
        self.client = client
        self.endpoint = client.meta.endpoint_url
        self.host, self.port, self.timeout = url.hostname, url.port or 80, timeout
        region = client.meta.region_name
        self.headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{OPERATION}",
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/20260101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
        }
        self.model = client.meta.service_model.operation_model(OPERATION)
        self.local = threading.local()

    def __call__(self, body: bytes) -> dict[str, Any]:
        """Send one BatchWriteItem body; return the parsed response, as the client would."""
        params: dict[str, Any] = {"body": body, "headers": {}, "url_path": "/", "method": "POST", "context": {}}
        _, event_response = self.client.meta.events.emit_until_response(
            f"before-call.dynamodb.{OPERATION}", model=self.model, params=params, request_signer=None, context={}
        )
        if event_response is not None:  # a hook answered instead of the server
            http_response, parsed = event_response
            if http_response.status_code >= 300:
                raise ClientError(parsed, OPERATION)
            return dict(parsed)
        status, data = self._post(params["body"])
        parsed = json.loads(data) if data else {}
        if status >= 300:
            code = str(parsed.get("__type", f"HTTP{status}")).rpartition("#")[2]
            message = parsed.get("message") or parsed.get("Message") or ""
            error: Any = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
            raise ClientError(error, OPERATION)
        return dict(parsed)

    def _post(self, body: bytes) -> tuple[int, bytes]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", "/", body, self.headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (ConnectionRefusedError, socket.gaierror, TimeoutError) as exc:
            self._drop(conn)
            raise EndpointConnectionError(endpoint_url=self.endpoint, error=exc) from None
        except (http.client.HTTPException, OSError) as exc:
            # reset, closed or half-read: the request may or may not have landed
            self._drop(conn)
            raise ConnectionClosedError(endpoint_url=self.endpoint, error=exc) from None

    def _drop(self, conn: http.client.HTTPConnection) -> None:
        conn.close()
        self.local.conn = None
