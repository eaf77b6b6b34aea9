"""The remote codec the Temporal UI and the ``temporal`` CLI decode payloads with (``--codec-endpoint``,
``--codec-auth``): ``python -m shared.encryption.codec_server [--host 127.0.0.1] [--port 8081]
[--ui-origin http://localhost:8233]``, with the keys of ``PAYLOAD_KEYS_FILE`` and the secret of
``CODEC_AUTH_FILE`` (or ``--keys-file``, ``--auth-file``).

Temporal's remote codec protocol: ``POST /encode`` and ``POST /decode`` take and answer
``{"payloads": [...]}`` (``temporal.api.common.v1.Payloads`` in protobuf JSON); ``X-Namespace`` may name
the namespace. Every request must be authorized (``codec_auth``), else 401. Browsers: only the UI's origin
gets CORS headers (a request from any other origin is refused), and ``GET /login`` signs a browser in with
the secret. It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

import uvicorn
from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from shared.encryption.codec_auth import Authorizer, SharedSecretAuth
from shared.encryption.keyring import EncryptionSettingsError
from shared.encryption.settings import (
    CODEC_AUTH_FILE_VARIABLE,
    KEYS_FILE_VARIABLE,
    codec_for,
    configured_codec_auth_file,
    configured_keys_file,
    read_codec_secret,
)
from shared.log import configure_logging, get_logger

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8081
DEFAULT_UI_ORIGIN = "http://localhost:8233"
MAX_BODY_BYTES = 64 * 1024 * 1024
ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"

log = get_logger(__name__)


def build_app(codec: PayloadCodec, authorize: Authorizer, ui_origins: Sequence[str]) -> Starlette:
    """The codec server's application: ``codec`` for the payloads, ``authorize`` for every request, CORS
    for ``ui_origins`` only."""
    origins = frozenset(origin.rstrip("/") for origin in ui_origins)

    def cors(request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin not in origins:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }

    def refused(request: Request, status: int, error: str, **headers: str) -> JSONResponse:
        return JSONResponse({"error": error}, status, headers={**cors(request), **headers})

    async def preflight(request: Request) -> Response:
        if not cors(request):
            return refused(request, 403, "this origin may not use the codec server", Vary="Origin")
        headers = {
            **cors(request),
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        }
        return Response(status_code=204, headers=headers)

    def endpoint(
        transform: Callable[[list[Payload]], Awaitable[list[Payload]]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            origin = request.headers.get("origin")
            if origin is not None and origin not in origins:  # a page of another site
                return refused(request, 403, f"origin {origin} may not use the codec server")
            if not await authorize(request):
                return refused(
                    request,
                    401,
                    "not authorized: send `Authorization: Bearer <the codec server's secret>` "
                    "(temporal ... --codec-auth 'Bearer ...'), or sign this browser in at /login",
                    **{"WWW-Authenticate": "Bearer"},
                )
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return refused(request, 415, "send the payloads as application/json")
            declared = request.headers.get("content-length", "0")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return refused(request, 413, f"at most {MAX_BODY_BYTES} bytes of payloads at once")
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                return refused(request, 413, f"at most {MAX_BODY_BYTES} bytes of payloads at once")
            try:
                payloads = json_format.Parse(body, Payloads())
            except (json_format.ParseError, UnicodeDecodeError) as error:
                return refused(request, 400, f'expected {{"payloads": [...]}} in protobuf JSON: {error}')
            result = Payloads(payloads=await transform(list(payloads.payloads)))
            return Response(
                json_format.MessageToJson(result),
                media_type="application/json",
                headers=cors(request),
            )

        return handle

    async def decode(payloads: list[Payload]) -> list[Payload]:
        """One by one: a payload this server cannot decrypt (a key it lacks) is shown as it is stored."""
        decoded = []
        for payload in payloads:
            try:
                decoded.extend(await codec.decode([payload]))
            except (ValueError, EncryptionSettingsError) as error:  # messages name key ids, never keys
                log.warning("payload left encoded", reason=str(error))
                decoded.append(payload)
        return decoded

    routes = [
        Route("/encode", endpoint(codec.encode), methods=["POST"]),
        Route("/decode", endpoint(decode), methods=["POST"]),
        Route("/encode", preflight, methods=["OPTIONS"]),
        Route("/decode", preflight, methods=["OPTIONS"]),
    ]
    if isinstance(authorize, SharedSecretAuth):
        routes += _sign_in_routes(authorize, sorted(origins))
    return Starlette(routes=routes)


def _sign_in_routes(auth: SharedSecretAuth, origins: list[str]) -> list[Route]:
    """``/login``: a page where a person types the secret once, so their browser's codec requests (the
    Temporal UI's) are authorized by a session cookie."""
    ui = ", ".join(escape(origin) for origin in origins)

    def page(message: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>Codec server sign-in</title>"
            f"<p>{message}</p>"
            '<form method="post" action="/login"><label>Codec server secret '
            '<input type="password" name="secret" autocomplete="off" required></label> '
            "<button>Sign in</button></form>",
            status,
            headers={
                "Content-Security-Policy": "default-src 'none'; form-action 'self'",
                "Cache-Control": "no-store",
            },
        )

    async def show(request: Request) -> Response:
        return page(f"Sign this browser in so the Temporal UI ({ui}) can decode payloads here.")

    async def sign_in(request: Request) -> Response:
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin is not None and origin not in (own, "null"):
            return JSONResponse({"error": "sign in from this server's own page"}, 403)
        fields = parse_qs((await request.body())[:4096].decode(errors="replace"))
        secret = (fields.get("secret") or [""])[0].strip()
        if not auth.is_secret(secret):
            return page("That is not the codec server's secret.", 401)
        response = page(
            f"Signed in. In the Temporal UI ({ui}), open the codec server settings, use your browser's "
            f"setting with this endpoint ({escape(own)}) and turn on <em>Include cross-origin "
            "credentials</em>: payloads then show decoded."
        )
        response.headers["Set-Cookie"] = auth.session_cookie(request)
        return response

    return [Route("/login", show, methods=["GET"]), Route("/login", sign_in, methods=["POST"])]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve Temporal's remote codec protocol for the UI and CLI.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--ui-origin",
        action="append",
        help=f"origin of the Temporal UI that may call it from a browser; repeatable (default {DEFAULT_UI_ORIGIN})",
    )
    parser.add_argument("--keys-file", type=Path, help=f"payload key file (default: {KEYS_FILE_VARIABLE})")
    parser.add_argument(
        "--auth-file",
        type=Path,
        help=f"file holding the secret clients send (default: {CODEC_AUTH_FILE_VARIABLE})",
    )
    arguments = parser.parse_args(argv)
    configure_logging()
    keys_file: Path | None = arguments.keys_file or configured_keys_file()
    auth_file: Path | None = arguments.auth_file or configured_codec_auth_file()
    try:
        if keys_file is None:
            raise EncryptionSettingsError(
                f"no payload key file: set {KEYS_FILE_VARIABLE} or pass --keys-file"
            )
        if auth_file is None:
            raise EncryptionSettingsError(
                f"no secret for the codec server's clients: set {CODEC_AUTH_FILE_VARIABLE} or pass --auth-file"
            )
        codec = codec_for(keys_file)
        auth = SharedSecretAuth(read_codec_secret(auth_file))
    except EncryptionSettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    assert codec is not None
    origins = arguments.ui_origin or [DEFAULT_UI_ORIGIN]
    log.info(
        "codec server started",
        url=f"http://{arguments.host}:{arguments.port}",
        ui_origins=origins,
        key_ids=codec.keyring.ids,
        auth_file=str(auth_file),
    )
    uvicorn.run(
        build_app(codec, auth, origins),
        host=arguments.host,
        port=arguments.port,
        log_level="warning",
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
