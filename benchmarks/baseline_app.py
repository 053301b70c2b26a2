"""The baseline: a bare Starlette app answering precomputed bytes on the operation's path.

Started by benchmarks/serve.py with BASELINE_RESPONSE naming a JSON file {status, headers, body}.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_recorded = json.loads(Path(os.environ["BASELINE_RESPONSE"]).read_text())
_body = _recorded["body"].encode()
_status = int(_recorded["status"])
_headers = dict(_recorded["headers"])


async def latest_interactions(request: Request) -> Response:
    return Response(_body, _status, headers=_headers)


app = Starlette(routes=[Route("/v0/{accountKey}/agents/{agentId}/latestInteractions", latest_interactions)])
