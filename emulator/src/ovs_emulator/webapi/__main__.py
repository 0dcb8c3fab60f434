"""``python3 -m ovs_emulator.webapi``: the ``ovs-webapp-api`` service."""
import logging
import sys

from .. import paths
from ..store import open_store
from ..tlsserver import service_arguments
from .server import make_server


def main(argv=None):
    args = service_arguments(argv, "ovs-webapp-api", "Open vStorage framework REST API",
                             (("0.0.0.0", "address to listen on (0.0.0.0)"), (443, "HTTPS port (443)")),
                             paths.SSL_CERT, paths.SSL_KEY)
    try:
        server = make_server(open_store(), args.bind, args.port, args.cert, args.key)
    except Exception as exc:  # configuration store, certificate or port problems
        print(f"ovs-webapp-api: cannot start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("ovs_emulator.webapi").info("Listening on https://%s:%s", args.bind,
                                                  args.port)
    return server.run()


if __name__ == "__main__":
    sys.exit(main())
