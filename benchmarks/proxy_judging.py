"""The proxy's CPU per relayed exchange when every exchange is distinct, judging included.

    .venv/bin/python benchmarks/proxy_judging.py [--exchanges 4000] [--rounds 5] [--profile]

Real exchanges are recorded once from the mock (v1 and v2 alternating over two agents, `size`
cycling through 1 to 100, an ignored parameter counting up, so no request repeats an earlier one),
then fed to `Watch` (the judge of `contracts proxy`) as the relay hands them over. Measured in one
run, in turns, the fastest of --rounds kept: CPU time per exchange of that traffic, of one exchange
repeated, and of that traffic with nothing remembered (every exchange judged in full: the cost of
an answer never seen before). --profile adds the profile's top entries.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import httpx

from contracts.exchange_rules import Served
from contracts.pair_rules import Window
from contracts.proxy import watch as watch_module
from contracts.proxy.relay import Message, Relayed
from contracts.proxy.watch import JUDGED_CACHE, Watch
from mockserver import Settings, create_app
from mockserver.running import start_in_thread

ACCOUNT = "a1b2c3d4e5"
V1, V2 = "application/json;version=1", "application/json;version=2"


def record(count: int) -> list[Relayed]:
    exchanges = []
    with start_in_thread(create_app(Settings())) as mock, httpx.Client(base_url=mock.url) as client:
        for n in range(count):
            accept = V1 if n % 2 else V2
            agent = "agent-7" if n % 4 < 2 else "1234"
            query = f"size={n % 100 + 1}&trace={n}" if accept == V2 else f"trace={n}"
            target = f"/v0/{ACCOUNT}/agents/{agent}/latestInteractions?{query}"
            headers = {"Authorization": "Bearer valid-token", "Accept": accept, "Host": "127.0.0.1"}
            answer = client.get(target, headers=headers)
            request = Message(f"GET {target} HTTP/1.1".encode(), [(k.encode(), v.encode()) for k, v in headers.items()])
            response = Message(
                f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}".encode(),
                list(answer.headers.raw),
                bytearray(answer.content),
            )
            exchanges.append(Relayed(request, response))
    return exchanges


def watch() -> Watch:
    return Watch("http://127.0.0.1:8080/v0", Served(frozenset({1, 2})), Window(5.0))


def cpu_per_exchange(exchanges: list[Relayed], *, remembering: bool = True) -> float:
    observer = watch()
    watch_module.JUDGED_CACHE = JUDGED_CACHE if remembering else 0
    started = time.process_time()
    for relayed in exchanges:
        observer(relayed)
    elapsed = time.process_time() - started
    watch_module.JUDGED_CACHE = JUDGED_CACHE
    return elapsed / len(exchanges) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    exchanges = record(args.exchanges)
    assert len({(bytes(e.request.first_line)) for e in exchanges}) == len(exchanges), "exchanges must be distinct"
    cpu_per_exchange(exchanges[:200])  # warm up: validators built, imports done
    # This machine is shared and its speed drifts within seconds: the three are measured in turns and
    # the fastest round of each is kept.
    rounds = [
        (
            cpu_per_exchange(exchanges),
            cpu_per_exchange([exchanges[0]] * len(exchanges)),
            cpu_per_exchange(exchanges, remembering=False),
        )
        for _ in range(args.rounds)
    ]
    distinct, repeated, in_full = (min(r[i] for r in rounds) for i in range(3))
    print(f"# proxy judging: {len(exchanges)} exchanges, CPU time of the judge per exchange\n")
    print("| traffic | µs per exchange | ratio to distinct |")
    print("|---|---|---|")
    print(f"| every exchange distinct (v1/v2, size 1-100, a parameter counting up) | {distinct:.1f} | 1.00x |")
    print(f"| one exchange repeated (judged once, then counted) | {repeated:.1f} | {repeated / distinct:.2f}x |")
    print(
        f"| the distinct traffic, every exchange judged in full (nothing remembered) | {in_full:.1f} | {in_full / distinct:.2f}x |"
    )
    if args.profile:
        profile = cProfile.Profile()
        observer = watch()
        profile.enable()
        for relayed in exchanges:
            observer(relayed)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
        print("\n" + out.getvalue())


if __name__ == "__main__":
    main()
