"""``python3 -m ovs_emulator.webapi``: the ``ovs-webapp-api`` service."""
import argparse
import logging
import sys

from .. import paths
from ..store import open_store
from .server import make_server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ovs-webapp-api",
                                     description="Open vStorage framework REST API")
    parser.add_argument("--bind", default="0.0.0.0", help="address to listen on (0.0.0.0)")
    parser.add_argument("--port", type=int, default=443, help="HTTPS port (443)")
    parser.add_argument("--cert", default=None, help=f"certificate ({paths.SSL_CERT})")
    parser.add_argument("--key", default=None, help=f"private key ({paths.SSL_KEY})")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    certfile = args.cert or paths.SSL_CERT
    keyfile = args.key or paths.SSL_KEY
    try:
        server = make_server(open_store(), args.bind, args.port, certfile, keyfile)
    except Exception as exc:  # configuration store, certificate or port problems
        print(f"ovs-webapp-api: cannot start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("ovs_emulator.webapi").info("Listening on https://%s:%s", args.bind,
                                                  args.port)
    return server.run()


if __name__ == "__main__":
    sys.exit(main())
