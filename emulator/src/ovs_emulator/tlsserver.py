"""The threaded HTTP(S) server under the framework API and the ASD manager API."""
import ssl
import threading
from http.server import ThreadingHTTPServer


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

    def start(self):
        """Serve in a background thread (tests)."""
        thread = threading.Thread(target=self.serve_forever, args=(0.05,), name=self.thread_name,
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
