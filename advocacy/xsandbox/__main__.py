"""Command line: ``python -m advocacy.xsandbox --host 127.0.0.1 --port 8765 [--state-file PATH]``."""

from __future__ import annotations

import argparse
import logging
import sys

from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advocacy.xsandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--state-file", default=None, help="persist users/posts/tokens as JSON in this file")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="OAuth 2.0 client id accepted")
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="OAuth 2.0 client secret")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    server = SandboxServer(
        args.host,
        args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        state_file=args.state_file,
    )
    print(f"X sandbox listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("X sandbox stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
