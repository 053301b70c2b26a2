"""How long `contracts diff` takes on two 1,000-operation documents (target: under 2 s).

    .venv/bin/python benchmarks/diff_large.py [--operations 1000] [--runs 5]

The documents are openapi.yaml's operation copied under 1,000 paths, the new one with a change in
every tenth operation (a response property removed, an enum grown, a parameter made required).
The baseline, measured in the same run, is reading and validating the two documents alone, so the
ratio says what the comparison itself adds.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from typing import Any

import yaml

from contracts.diff import diff
from mockserver.resources import SPEC_PATH
from mockserver.spec import SpecDocument


def documents(operations: int) -> tuple[dict[str, Any], dict[str, Any]]:
    base = yaml.safe_load(SPEC_PATH.read_text())
    (template,) = base["paths"].values()
    old = copy.deepcopy(base)
    old["paths"] = {
        f"/{n}/{{accountKey}}/agents/{{agentId}}/latestInteractions": copy.deepcopy(template) for n in range(operations)
    }
    for n, item in enumerate(old["paths"].values()):
        item["get"]["operationId"] = f"latestInteractions{n}"
    new = copy.deepcopy(old)
    for n, item in enumerate(new["paths"].values()):
        if n % 10 == 0:
            item["get"]["parameters"].append(
                {"name": f"p{n}", "in": "query", "required": True, "schema": {"type": "string"}}
            )
    new["components"]["schemas"]["InteractionV2"]["properties"]["type"]["enum"].append("Video")
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    old_document, new_document = documents(args.operations)
    loads, totals, counts = [], [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        old, new = SpecDocument.from_document(old_document), SpecDocument.from_document(new_document)
        loaded = time.perf_counter()
        report = diff(old, new)
        finished = time.perf_counter()
        loads.append(loaded - started)
        totals.append(finished - started)
        counts = len(report.changes)
    load, total = statistics.median(loads), statistics.median(totals)
    print(f"{args.operations} operations, {counts} changes, median of {args.runs} runs")
    print(f"read and validate both (baseline): {load:.3f} s")
    print(f"read, validate and diff:           {total:.3f} s  ({total / load:.2f}x the baseline)")
    print(f"target under 2 s: {'met' if total < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
