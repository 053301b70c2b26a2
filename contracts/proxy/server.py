"""`contracts proxy`: the relay in front of an upstream, the watch judging it, the reports at the end.

    contracts proxy --upstream http://staging:8080/v0 [--host 127.0.0.1] [--port 8081] [--versions 1,2|1]
        [--junit-xml PATH] [--report PATH] [--record PATH] [--window SECONDS]

A line per violation as it happens; `GET /__proxy/report` answers the report as JSON; on SIGINT or
SIGTERM a summary table, and the `--report`, `--junit-xml` and `--record` files.
"""

from __future__ import annotations

import asyncio
import io
import json
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from contracts.exchange_rules import Served
from contracts.pair_rules import Window
from contracts.proxy.recording import Recorder
from contracts.proxy.relay import Message, Relay
from contracts.proxy.watch import Reported, Watch
from contracts.report.junit import JUnitCase, write_junit
from contracts.spec_conformance import SpecResponses
from contracts.target import project_spec
from mockserver.spec import SpecDocument

LIVE_PAGE = (Path(__file__).parent / "live.html").read_bytes()
"""`/__proxy/ui/`: the violations, counts and coverage as they happen, read from `/__proxy/report` every second."""


@dataclass(frozen=True)
class ProxySettings:
    upstream: str
    host: str = "127.0.0.1"
    port: int = 8081
    versions: frozenset[int] = frozenset({1, 2})
    junit_xml: Path | None = None
    report: Path | None = None
    html: Path | None = None
    record: Path | None = None
    window: float = 60.0
    spec: SpecDocument = field(default_factory=project_spec, repr=False, compare=False)
    """The document the traffic is judged by."""

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(
                f"--upstream must be an http URL ending in the path version, e.g. http://127.0.0.1:8080/v0, got {self.upstream!r}"
            )
        if not parts.path.strip("/"):
            raise ValueError(f"--upstream must end in the path version (e.g. .../v0), got {self.upstream!r}")
        if self.window <= 0:
            raise ValueError("--window must be a positive number of seconds")


class Proxy:
    """The running proxy; `start()` binds, `stop()` ends, `watch` holds what it saw."""

    def __init__(self, settings: ProxySettings, out: TextIO = sys.stdout) -> None:
        self.settings = settings
        self.out = out
        parts = urlsplit(settings.upstream)
        self.recorder = Recorder() if settings.record is not None else None
        self.watch = Watch(
            settings.upstream.rstrip("/"),
            Served(settings.versions, SpecResponses(settings.spec)),
            Window(settings.window),
            self.recorder,
            announce=self._announce,
        )
        self.relay = Relay(parts.hostname or "127.0.0.1", parts.port or 80, self.watch, self._local)
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(self.relay.protocol, self.settings.host, self.settings.port)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def _local(self, request: Message) -> tuple[int, bytes, bytes] | None:
        target = request.first_line.split(b" ")
        local = target[1].split(b"?")[0] if len(target) > 1 else b""
        if local == b"/__proxy/report":
            return 200, b"application/json", json.dumps(self.watch.report(), indent=2).encode()
        if local in (b"/__proxy/ui", b"/__proxy/ui/"):
            return 200, b"text/html; charset=utf-8", LIVE_PAGE
        return None

    def _announce(self, reported: Reported) -> None:
        violation = reported.violation
        print(f"VIOLATION {reported.rule}: expected {violation.expected}; received {violation.received}", file=self.out)
        if violation.exchange is not None:
            print(f"  reproduce: {violation.exchange.curl()}", file=self.out, flush=True)

    # -- at the end ---------------------------------------------------------------------------------

    def finish(self) -> None:
        report = self.watch.report()
        self._summary(report)
        if self.settings.report is not None:
            self.settings.report.parent.mkdir(parents=True, exist_ok=True)
            self.settings.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        if self.settings.junit_xml is not None:
            write_junit("contracts-proxy", proxy_cases(report), self.settings.junit_xml)
        if self.settings.html is not None:
            from contracts.report import html as html_report

            self.settings.html.parent.mkdir(parents=True, exist_ok=True)
            self.settings.html.write_text(html_report.render(html_report.from_proxy(report)), encoding="utf-8")
        if self.recorder is not None and self.settings.record is not None:
            self.recorder.write(self.settings.record)

    def _summary(self, report: dict[str, Any]) -> None:
        rules = report["coverage"]["rules"]
        width = max(len(rule) for rule in rules)
        print(
            f"\n{report['exchanges']} exchanges judged, {report['upstream_errors']} without an upstream answer",
            file=self.out,
        )
        print(f"{'rule':<{width}}  {'result':<13}  exercised  violations", file=self.out)
        for rule, seen in rules.items():
            outcome = "FAILED" if seen["violations"] else "passed" if seen["exercised"] else "not exercised"
            print(f"{rule:<{width}}  {outcome:<13}  {seen['exercised']:>9}  {seen['violations']:>10}", file=self.out)


def proxy_cases(report: dict[str, Any]) -> list[JUnitCase]:
    """One case per rule of the proxy's report: failed with its first violation, skipped when the
    traffic did not exercise it."""
    cases = []
    for rule, seen in report["coverage"]["rules"].items():
        if seen["violations"]:
            first = next((v for v in report["violations"] if v["rule"] == rule), None)
            details = (
                None
                if first is None
                else f"expected: {first['expected']}\nreceived: {first['received']}\nreproduce: {first['curl']}"
            )
            message = f"{seen['violations']} violation(s)"
            cases.append(JUnitCase("contracts.proxy", rule, None, "failure", message, "ContractViolation", details))
        elif not seen["exercised"]:
            cases.append(JUnitCase("contracts.proxy", rule, None, "skipped", "not exercised by the traffic"))
        else:
            cases.append(JUnitCase("contracts.proxy", rule))
    return cases


def run_proxy(settings: ProxySettings) -> int:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        pass
    return asyncio.run(_serve(settings))


async def _serve(settings: ProxySettings) -> int:
    proxy = Proxy(settings)
    try:
        port = await proxy.start()
    except OSError as error:
        print(f"contracts proxy: cannot listen on {settings.host}:{settings.port}: {error}", file=sys.stderr)
        return 2
    print(
        f"Proxy on http://{settings.host}:{port}{urlsplit(settings.upstream).path.rstrip('/')} -> {settings.upstream}"
        f" (report: http://{settings.host}:{port}/__proxy/report; Ctrl-C for the summary)",
        flush=True,
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    await proxy.stop()
    proxy.finish()
    return 1 if proxy.watch.counts else 0


class RunningProxy:
    """A proxy serving from a thread of this process (tests, a pytest suite): `url`, `watch`, `stop()`."""

    def __init__(self, settings: ProxySettings, out: TextIO) -> None:
        self.proxy = Proxy(settings, out)
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.port = 0

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.port = self.loop.run_until_complete(self.proxy.start())
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True, name="contracts-proxy")
        self.thread.start()
        if not started.wait(10):
            raise RuntimeError("the proxy did not start")

    @property
    def watch(self) -> Watch:
        return self.proxy.watch

    @property
    def url(self) -> str:
        return f"http://{self.proxy.settings.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + urlsplit(self.proxy.settings.upstream).path.rstrip("/")

    def report(self) -> dict[str, Any]:
        return asyncio.run_coroutine_threadsafe(_report(self.proxy), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self.loop).result(10)
        self.proxy.finish()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def __enter__(self) -> RunningProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


async def _report(proxy: Proxy) -> dict[str, Any]:
    return proxy.watch.report()


def start_proxy_in_thread(settings: ProxySettings, out: TextIO | None = None) -> RunningProxy:
    return RunningProxy(settings, out or io.StringIO())
