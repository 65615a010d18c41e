"""``python -m simulator``: serve the three APIs over HTTPS until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Callable

import uvicorn

from . import seed
from .app import Simulator, create_app
from .connection import DroppableH11Protocol
from .faults import FaultConfig
from .tls import create_tls_files

DEFAULT_SEED = Path(__file__).resolve().parent / "seeds" / "demo.yml"
ANNOUNCEMENT = "simulator.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="YAML or JSON seed (default: seeds/demo.yml)")
    parser.add_argument("--workdir", type=Path, help="where ca.pem and simulator.json go (default: a new temp dir)")
    parser.add_argument("--token-lifetime", type=int, metavar="SECONDS", help="access token lifetime (default 3600)")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every API request")
    parser.add_argument("--rate-limit-rpm", type=int, help="per-partner requests per minute (default: no limit)")
    parser.add_argument(
        "--rate-limit-window-s",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="length of the rate limit's sliding window (default 60: --rate-limit-rpm is per minute)",
    )
    parser.add_argument(
        "--state-file", type=Path, help="load the state from here if it exists; save it on change and on exit"
    )
    return parser.parse_args(argv)


class _AnnouncingServer(uvicorn.Server):
    """Calls ``on_ready`` once the socket is listening."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="simulator-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    tls = create_tls_files(workdir)
    overrides = {"token_lifetime": args.token_lifetime} if args.token_lifetime is not None else {}
    simulator = Simulator(
        start_seed=seed.read_seed_file(args.seed),
        settings_overrides=overrides,
        baseline_faults=FaultConfig(
            latency_ms=args.latency_ms,
            rate_limit_rpm=args.rate_limit_rpm,
            rate_limit_window_s=args.rate_limit_window_s,
        ),
        state_file=args.state_file.resolve() if args.state_file else None,
    )

    # IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto says
    # TCP, and with Nagle on every response stalls ~40 ms on the client's delayed ACK.
    listener = socket.socket(
        socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    port = listener.getsockname()[1]
    url_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"https://{url_host}:{port}"
    announcement = workdir / ANNOUNCEMENT

    def announce() -> None:
        info = {"url": url, "ca_path": str(tls.ca_path), "pid": os.getpid(), "port": port}
        _write_atomically(announcement, json.dumps(info))
        print(f"simulator ready: url={url} ca={tls.ca_path}", flush=True)

    config = uvicorn.Config(
        create_app(simulator),
        ssl_certfile=str(tls.server_pem_path),
        http=DroppableH11Protocol,
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    # uvicorn re-raises the signal it caught once it has shut down; with these handlers that is a
    # no-op, so we get to remove the announcement and exit 0.
    for handled in (signal.SIGINT, signal.SIGTERM):
        signal.signal(handled, lambda *_: None)
    try:
        _AnnouncingServer(config, announce).run(sockets=[listener])
    finally:
        announcement.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
