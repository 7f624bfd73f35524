"""serve: the app server, as a service unit or a container starts it."""

import os
from pathlib import Path

# The folder of server.py, streamlit_app.py, pages/ and .streamlit/: the repository's top, or,
# installed, the apc_desk package's folder.
HOME = Path(__file__).resolve().parent.parent


def register(commands) -> None:
    serve = commands.add_parser(
        "serve", help="serve the app, its calendar feeds and health checks on one port"
    )
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument(
        "--address", default="127.0.0.1", help="where to listen (default: this host only)"
    )
    serve.set_defaults(run=run_serve)


def run_serve(args) -> int:
    # Streamlit reads .streamlit/config.toml (the hardened settings) from the working folder.
    os.chdir(HOME)
    from committee import logs
    from web import headers

    logs.configure("app")  # from here on this process is the app server, and logs as one
    headers.serve(port=args.port, address=args.address)
    return 0
