"""The threaded HTTP(S) server under the framework API and the ASD manager API: the server, the
JSON request handler and the command line of the two services."""
import argparse
import logging
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"


def service_arguments(argv, prog, description, listen, cert, key):
    """The options of an API service (--bind, --port, --cert, --key, --log-level), logging set up;
    ``listen`` = ((bind default, help), (port default, help)); ``cert``/``key`` fill in a missing
    --cert/--key."""
    (bind, bind_help), (port, port_help) = listen
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--bind", default=bind, help=bind_help)
    parser.add_argument("--port", type=int, default=port, help=port_help)
    parser.add_argument("--cert", default=None, help=f"certificate ({cert})")
    parser.add_argument("--key", default=None, help=f"private key ({key})")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO), format=LOG_FORMAT)
    args.cert, args.key = args.cert or cert, args.key or key
    return args


class JsonHandler(BaseHTTPRequestHandler):
    """Reads a request's body, writes a JSON answer and logs each request to ``log``; a subclass
    sets the Server header (``server_version``, ``sys_version``) and ``_serve``."""

    protocol_version = "HTTP/1.1"
    log = logging.getLogger("ovs_emulator.tlsserver")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status, data, headers=()):
        """Send ``data`` (bytes, the JSON text or empty) with ``headers`` (name, value) pairs."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _serve(self):
        raise NotImplementedError

    def _dispatch(self):
        self._serve()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        self.log.info("%s - %s", self.client_address[0], format % args)


class TlsHttpServer(ThreadingHTTPServer):
    """A threaded HTTP server; TLS when ``certfile`` is given, with the handshake in the
    request's thread (not in accept()), so that one slow client cannot stall the others."""

    daemon_threads = True
    allow_reuse_address = True
    thread_name = "https"

    def __init__(self, app, bind, port, handler, certfile=None, keyfile=None):
        super().__init__((bind, port), handler)
        self.app = app
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self.socket = context.wrap_socket(self.socket, server_side=True,
                                              do_handshake_on_connect=False)

    def get_request(self):
        sock, address = super().get_request()
        sock.settimeout(60)
        return sock, address

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def start(self, poll_interval=0.01):
        """Serve in a background thread (tests); ``shutdown()`` returns within ``poll_interval`` s."""
        thread = threading.Thread(target=self.serve_forever, args=(poll_interval,), name=self.thread_name,
                                  daemon=True)
        thread.start()
        return thread

    def run(self):
        """Serve in the foreground until interrupted (the services); the exit code, 0."""
        try:
            self.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.server_close()
        return 0
