"""The live console at /__admin/ui/: a page and its two files, served by the mock on its own port.

The page holds no data: everything it shows it reads from the control plane, as any client does
(the state, both versions' answers for an agent, the journal every second), and every action it offers
is a control-plane call. With `--admin-token`, a browser cannot send an Authorization header while
navigating, so the page asks for the token once (a form) and keeps it in a cookie that the control
plane accepts as the token itself: HttpOnly, SameSite=Strict, for /__admin only.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mockserver.errors import ControlError

ASSETS = Path(__file__).with_name("console")
ADMIN_COOKIE = "latest_interactions_admin"
LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latest Interactions mock: console</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/__admin/ui/console.css"></head>
<body><main class="login"><h1>Latest Interactions mock</h1>
<p>This mock's control plane needs its admin token (<code>--admin-token</code> or
<code>LATEST_INTERACTIONS_ADMIN_TOKEN</code>).</p>
<form method="post" action="/__admin/ui/login"><label>Admin token
<input name="token" type="password" autocomplete="current-password" autofocus required></label>
<button type="submit">Open the console</button></form>{problem}</main></body></html>
"""


def cookie_token(request: Request) -> str | None:
    return request.cookies.get(ADMIN_COOKIE)


def console_routes(admin_token: str | None, check_token: Callable[[Request], None]) -> list[BaseRoute]:
    """`check_token` is the control plane's own check (a ControlError when the token is missing)."""
    page = (ASSETS / "index.html").read_bytes()

    async def console(request: Request) -> Response:
        try:
            check_token(request)
        except ControlError:
            return HTMLResponse(LOGIN_PAGE.format(problem=""), 401)
        return HTMLResponse(page)

    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("token", ""))
        if admin_token is None or not hmac.compare_digest(token.encode(), admin_token.encode()):
            return HTMLResponse(LOGIN_PAGE.format(problem='<p class="problem">That is not the admin token.</p>'), 401)
        answer = RedirectResponse("/__admin/ui/", status_code=303)
        answer.set_cookie(ADMIN_COOKIE, token, httponly=True, samesite="strict", path="/__admin")
        return answer

    return [
        Route("/__admin/ui/", console, methods=["GET"]),
        Route("/__admin/ui/login", login, methods=["POST"]),
        Mount("/__admin/ui", StaticFiles(directory=ASSETS), name="console"),
    ]
