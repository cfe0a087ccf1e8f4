"""The web app: a search page, a project page and a read-only JSON API over
one shared :class:`~sagashi.engine.Engine`.

Routes (all GET; every other method is refused with 405)::

    /                          the search page: ?q= &pref= &entity= &filter= &query_lang= &page=
                               &lang= (the interface's language)
    /projects/{no}             one project in full, with its similar projects
    /api/search                as ``sagashi search --json``: ?q= &limit= &page= &pref= &entity=
                               &filter= &query_lang= &explain=
    /api/projects/{no}         as ``sagashi show NO --json``
    /api/projects/{no}/similar as ``sagashi similar NO --json``: ?limit=
    /api/openapi.json          the API described as OpenAPI 3.1
    /static/...                the page's own stylesheet, script and icon, nothing else

Handlers are plain functions, which Starlette runs in its thread pool; the
engine serialises searches with its own lock. API errors are JSON with the
message and hint the CLI prints for the same mistake: 400 for bad
parameters, 404 for an unknown project, 503 while the index cannot be read.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..engine import Engine
from ..errors import (
    EngineClosedError,
    IndexStateError,
    NotFoundError,
    QueryError,
    SagashiError,
    UsageError,
)
from ..results import JsonObject
from . import i18n, openapi, views
from .cache import DEFAULT_SIZE, AnswerCache
from .params import (
    MAX_API_LIMIT,
    PER_PAGE,
    FilterError,
    ParamError,
    SearchParams,
    project_number,
    search_params,
    whole_number_param,
)

log = logging.getLogger("sagashi.web")
HERE = Path(__file__).resolve().parent
#: Similar projects shown on a project page, and the API's default for them
#: (the CLI's ``similar`` default too).
SIMILAR = 5

#: Sent with every response. The policy allows the page's own stylesheet,
#: script and icon and nothing else: no inline script or style, no other
#: origin, no framing, forms that post only here.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def create_app(engine: Engine, *, cache_size: int = DEFAULT_SIZE) -> ASGIApp:
    """The ASGI app serving ``engine``'s index (the engine stays the caller's
    to close), keeping up to ``cache_size`` recent answers (see
    :mod:`sagashi.web.cache`; 0 keeps none)."""
    site = Site(engine, cache_size)
    routes = [
        Route("/", site.search_page, name="search"),
        Route("/projects/{no}", site.project_page, name="project"),
        Route("/api/search", site.api_search),
        Route("/api/projects/{no}", site.api_project),
        Route("/api/projects/{no}/similar", site.api_similar),
        Route("/api/openapi.json", site.api_openapi),
        Mount("/static", StaticFiles(directory=HERE / "static", follow_symlink=False),
              name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: site.http_error, Exception: site.server_error})
    return SecurityHeaders(app)


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every response (errors
    and static files included), and ``Cache-Control: no-cache`` where the
    response sets none, so a reindex shows at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def status_for(error: SagashiError) -> int:
    """The HTTP status of an error sagashi raised."""
    if isinstance(error, UsageError):
        return 400
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, (IndexStateError, EngineClosedError)):
        return 503
    return 500


def error_json(error: SagashiError) -> JSONResponse:
    """An API error: the CLI's message and hint, as JSON."""
    return JSONResponse({"error": error.message, "hint": error.hint}, status_for(error))


class Site:
    """The handlers, sharing one engine and one template environment."""

    def __init__(self, engine: Engine, cache_size: int = DEFAULT_SIZE) -> None:
        self.engine = engine
        self.cache = AnswerCache(cache_size)
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=True, undefined=StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)

    # -- the page ------------------------------------------------------------

    def search_page(self, request: Request) -> Response:
        page = self._page(request)
        try:
            params = search_params(request.query_params, api=False,
                                   headers=self._headers(request))
        except SagashiError as e:  # a bad parameter, or the index cannot be read
            return page.error(e, SearchParams(request.query_params.get("q", "")),
                              retry=isinstance(e, FilterError))
        if not params.q.strip():
            return page.render("search.html", params, data=None, examples=i18n.EXAMPLES)
        try:
            html = self.cache.get(self.engine.refresh(), page.key("search", params),
                                  lambda: page.html("search.html", params,
                                                    data=self._search(params), examples=()))
        except SagashiError as e:
            filtered = bool(params.pref or params.entity or params.filters)
            return page.error(e, params, retry=filtered and isinstance(e, UsageError)
                              and not isinstance(e, QueryError))
        return page.response(html)

    def project_page(self, request: Request) -> Response:
        page = self._page(request)
        try:
            no = project_number(request.path_params["no"])
            html = self.cache.get(self.engine.refresh(), page.key("project", no),
                                  lambda: page.html("project.html", SearchParams(""),
                                                    project=self._project(no),
                                                    similar=self._similar(no, SIMILAR)))
        except NotFoundError:
            return page.not_found(page.t("no_project", no=request.path_params["no"]))
        except ParamError:
            return page.not_found(page.t("not_found"))
        except SagashiError as e:
            return page.error(e, SearchParams(""))
        return page.response(html)

    def _headers(self, request: Request) -> tuple[str, ...]:
        """The index's kept columns, when the request filters by some (to
        read its ``filter=`` parameters; see :func:`.params.search_params`)."""
        if "filter" not in request.query_params:
            return ()
        self.engine.refresh()
        return tuple(c.header for c in self.engine.columns)

    def _page(self, request: Request) -> Page:
        lang, explicit = i18n.choose(request.query_params.get("lang"),
                                     request.headers.get("accept-language"))
        return Page(self.templates, request.url.path, lang, explicit)

    # -- answers, kept per index generation ------------------------------------

    def _search(self, params: SearchParams) -> JsonObject:
        key = ("search", params.q, params.limit, params.pref, params.entity, params.filters,
               params.query_lang, params.explain, params.offset)
        return self.cache.get(self.engine.refresh(), key, lambda: self.engine.search(
            params.q, params.limit, pref=params.pref, entity=params.entity,
            filters=params.column_filters(), explain=params.explain, facets=True,
            offset=params.offset, language=params.query_lang).to_json(params.explain))

    def _project(self, no: int) -> JsonObject:
        return self.cache.get(self.engine.refresh(), ("project", no),
                              lambda: self.engine.get(no).to_json())

    def _similar(self, no: int, limit: int) -> JsonObject:
        return self.cache.get(self.engine.refresh(), ("similar", no, limit),
                              lambda: self.engine.similar(no, limit).to_json())

    # -- the API -------------------------------------------------------------

    def api_search(self, request: Request) -> Response:
        try:
            data = self._search(search_params(request.query_params, api=True,
                                              headers=self._headers(request)))
        except SagashiError as e:
            return error_json(e)
        return JSONResponse(data)

    def api_project(self, request: Request) -> Response:
        try:
            data = self._project(project_number(request.path_params["no"]))
        except SagashiError as e:
            return error_json(e)
        return JSONResponse(data)

    def api_similar(self, request: Request) -> Response:
        try:
            no = project_number(request.path_params["no"])
            limit = whole_number_param(request.query_params, "limit", SIMILAR, 1, MAX_API_LIMIT)
            data = self._similar(no, limit)
        except SagashiError as e:
            return error_json(e)
        return JSONResponse(data)

    def api_openapi(self, request: Request) -> Response:
        return JSONResponse(openapi.document(__version__))

    # -- errors --------------------------------------------------------------

    def http_error(self, request: Request, exc: Exception) -> Response:
        """404 for unknown paths, 405 for any method but GET and HEAD: JSON
        under /api/, a page elsewhere."""
        assert isinstance(exc, HTTPException)
        headers = {"allow": "GET, HEAD"} if exc.status_code == 405 else None
        if request.url.path.startswith("/api/"):
            if exc.status_code == 405:
                body = {"error": f"{request.method} is not allowed: the API only reads",
                        "hint": "use GET; reindex with the sagashi command or the library"}
            elif exc.status_code == 404:
                body = {"error": f"no such endpoint: {request.url.path}",
                        "hint": "the endpoints are listed in /api/openapi.json"}
            else:
                body = {"error": str(exc.detail), "hint": ""}
            return JSONResponse(body, exc.status_code, headers=headers)
        page = self._page(request)
        if exc.status_code == 404:
            return page.not_found(page.t("not_found"))
        return page.message(exc.status_code, str(exc.detail), headers)

    def server_error(self, request: Request, exc: Exception) -> Response:
        """A bug: logged by the server; the reader gets a plain 500."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "internal error", "hint": "please report it, with "
                                 "the request; the server's log holds the details"}, 500)
        page = self._page(request)
        return page.message(500, page.t("server_error"))


class Page:
    """One HTML response in the reader's interface language."""

    def __init__(self, templates: Environment, path: str, lang: i18n.InterfaceLanguage,
                 explicit: bool) -> None:
        self.templates = templates
        self.path = path
        self.lang = lang
        self.explicit = explicit
        self.t = i18n.Strings(lang)

    def key(self, *request: object) -> tuple[object, ...]:
        """What a page's HTML depends on besides the index: the request and
        the interface language (chosen, or from Accept-Language)."""
        return ("html", self.lang, self.explicit, *request)

    def render(self, template: str, params: SearchParams, status: int = 200,
               headers: dict[str, str] | None = None, **context) -> HTMLResponse:
        return self.response(self.html(template, params, **context), status, headers)

    def response(self, html: str, status: int = 200,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
        response = HTMLResponse(html, status, headers=headers)
        response.headers["content-language"] = self.lang
        response.headers["vary"] = "Accept-Language"
        return response

    def html(self, template: str, params: SearchParams, **context) -> str:
        urls = views.Urls(params, self.lang if self.explicit else None)
        data = context.get("data")
        context.update(
            t=self.t, lang=self.lang, urls=urls, params=params, v=views,
            per_page=PER_PAGE, languages=[
                {"code": code, "name": i18n.NAMES[code], "current": code == self.lang,
                 "url": urls.switch(self.path, code)} for code in i18n.LANGUAGES],
            query_languages=[{"code": code, "name": name}
                             for code, name in i18n.QUERY_LANGUAGE_NAMES.items()])
        if data is not None:
            label = self._facet_label
            context.update(
                hits=[_hit_view(h) for h in data["hits"]],
                facets=views.facets(data, urls, label),
                filters=views.active_filters(params, urls, label),
                pages=views.page_links(params, data["total"], urls),
                query_lang=views.query_language(params.q, data.get("language")))
        if "similar" in context:
            context["similar_hits"] = [_hit_view(h) for h in context["similar"]["hits"]]
        return self.templates.get_template(template).render(context)

    def error(self, error: SagashiError, params: SearchParams,
              retry: bool = False) -> HTMLResponse:
        """The message and hint the CLI gives for ``error``; with ``retry``
        (a filter was the mistake), a link to the same search without the
        filters."""
        status = status_for(error)
        if status >= 500:
            log.warning("%s", error.message)
        unfiltered = views.Urls(params, self.lang if self.explicit else None).unfiltered()
        return self.render("error.html", params, status, title=self.t("error_title"),
                           message=error.message, hint=error.hint, message_lang="en",
                           retry=unfiltered if retry and params.q.strip() else None)

    def not_found(self, message: str) -> HTMLResponse:
        return self.render("error.html", SearchParams(""), 404,
                           title=self.t("not_found_title"), message=message, hint="",
                           message_lang=None, retry=None)

    def message(self, status: int, message: str,
                headers: dict[str, str] | None = None) -> HTMLResponse:
        return self.render("error.html", SearchParams(""), status, headers,
                           title=self.t("error_title"), message=message, hint="",
                           message_lang=None, retry=None)

    def _facet_label(self, name: str) -> str:
        key = f"facet_{name}"
        return self.t(key) if key in i18n.STRINGS[self.lang] else name


def _hit_view(hit: JsonObject) -> JsonObject:
    """A hit's JSON with its snippet cut into plain and marked pieces, and
    the other columns it shows."""
    return {**hit, "pieces": views.pieces(hit.get("snippet", ""), hit.get("spans") or ()),
            "columns": views.hit_columns(hit.get("extra"))}
