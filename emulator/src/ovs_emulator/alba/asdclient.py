"""The framework's client of the ASD managers (alba-asdmanager source/app/api.py over HTTPS,
self-signed certificate, HTTP Basic with the node's user and password)."""
import base64
import http.client
import json
import ssl
import urllib.error
import urllib.request


class InvalidCredentials(Exception):
    pass


class ManagerUnreachable(Exception):
    pass


class HttpsJsonClient:
    """JSON over HTTPS to a self-signed server (the ASD managers, the API of another cluster)."""

    def __init__(self, ip, port, timeout=20):
        self.ip, self.port = ip, port
        self.base = f"https://{ip}:{port}"
        self.timeout = timeout
        # the certificate is not verified: no CA store to load (ssl.create_default_context costs ~30 ms)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method, path, data=None, headers=None, timeout=None):
        """(status, parsed JSON; ``{}`` for an empty body) of one call; ``urllib.error.URLError``,
        ``OSError`` or ``http.client.HTTPException`` when the server cannot be reached, ValueError
        for a success answer that is no JSON (an error answer that is none gives ``None``)."""
        request = urllib.request.Request(self.base + "/" + path.lstrip("/"), data=data,
                                         method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout,
                                        context=self.context) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        try:
            return status, json.loads(text or b"{}")
        except ValueError:
            if 200 <= status < 300:
                raise
            return status, None


class ASDManagerClient(HttpsJsonClient):
    """HTTPS client of an ASD manager (self-signed certificate, HTTP Basic)."""

    def __init__(self, ip, port, username, password, timeout=20):
        super().__init__(ip, port, timeout)
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": self.auth}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            status, payload = self.request(method, path, data, headers, timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ManagerUnreachable(f"Could not connect to {self.base}: {reason}") from None
        if 200 <= status < 300:
            return payload
        payload = payload if isinstance(payload, dict) else {}
        if status == 401 or payload.get("_error") == "Invalid credentials":
            raise InvalidCredentials("Invalid credentials")
        raise RuntimeError(payload.get("_error") or f"HTTP {status}")

    def get_metadata(self):
        return self.call("GET", "")

    def get_stack(self):
        data = self.call("GET", "slots", timeout=5).get("data", {})
        for slot in data.values():
            for osd in slot.get("osds", {}).values():
                osd["type"] = "ASD"
        return data


def client_for(node, timeout=20):
    return ASDManagerClient(node.get("ip"), node.get("port"), node.get("username"),
                            node.get("password"), timeout=timeout)


def reachable_nodes(model, timeout=5):
    """[(albanode, its maintenance services)] of the ASD nodes whose manager answers."""
    nodes = []
    for node in model.find("albanode", type="ASD"):
        try:
            services = client_for(node, timeout=timeout).call("GET", "maintenance").get("services", [])
        except (ManagerUnreachable, InvalidCredentials, RuntimeError):
            continue
        nodes.append((node, services))
    return nodes
