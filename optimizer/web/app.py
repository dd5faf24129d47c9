"""``optimizer serve``: Starlette routes, server-rendered Jinja2 pages, results as ordinary run folders.

Pages: ``/`` (what is in the workspace), ``/freight`` (open an instance, set parameters, solve in the
background, scenarios with their KPIs, compare), ``/enclave`` (edit a case, every rule side by side),
``/games`` (allocations under each rule and the core check). JSON: ``/api/jobs/<id>`` (progress) and
``/api/jobs/<id>/cancel``. ``/files/<path>`` serves a file of the workspace (the reports of run folders,
comparisons). Everything the pages load comes from this server; the Content-Security-Policy header tells
the browser to fetch nothing from anywhere else.
"""

from __future__ import annotations

import io
import logging
import math
import os
import zipfile
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..errors import InfeasibleError, InputError, OptimizerError
from .forms import ROLE_CHOICES, case_to_form, case_yaml, freight_form, parameter_fields, read_case_form, shown
from .jobs import JobManager
from .workspace import Workspace, slug

log = logging.getLogger("optimizer.web")
HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
       "base-uri 'none'")

#: (label, KPI key, format) of the KPI table: the console's table of ``optimizer freight solve``
from ..cli.freight import KPI_ROWS  # noqa: E402


def fmt_kpi(fmt: str, value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def kpi_rows(summary_kpis: dict, baseline: dict | None) -> list[dict]:
    rows = []
    for label, key, fmt in KPI_ROWS:
        a, b = (baseline or {}).get(key), summary_kpis.get(key)
        change = ""
        if a is not None and b is not None:
            if fmt == "{:d}":
                change = f"{b - a:+d}"
            elif fmt.endswith("%}"):
                change = f"{(b - a) * 100:+.1f} pp"
            elif a != 0:
                change = f"{(b - a) / abs(a):+.1%}"
        rows.append({"key": key, "label": label, "today": fmt_kpi(fmt, a) if baseline else "", "plan": fmt_kpi(fmt, b), "change": change})
    return rows


def money(x, digits: int = 2) -> str:
    if x is None or not isinstance(x, (int, float)) or not math.isfinite(x):
        return "–"
    return f"{x:,.{digits}f}"


class App:
    """State of one server: the workspace, the job queue, loaded instances (cached by modification time)."""

    def __init__(self, workspace: str | Path) -> None:
        self.ws = Workspace(workspace)
        self.jobs = JobManager()
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.globals.update(fmt_kpi=fmt_kpi, money=money, shown=shown)
        self._instances: dict[str, tuple[float, object]] = {}

    # -- helpers ----------------------------------------------------------------------------
    def render(self, request: Request, name: str, status_code: int = 200, **context) -> Response:
        context.setdefault("workspace", str(self.ws.root))
        context.setdefault("active_jobs", self.jobs.active())
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def instance(self, path: Path):
        from .. import api

        stamp = max((p.stat().st_mtime for p in ([path] + (list(path.iterdir()) if path.is_dir() else []))), default=0.0)
        hit = self._instances.get(str(path))
        if hit and hit[0] == stamp:
            return hit[1]
        inst = api.load_instance(path)
        self._instances[str(path)] = (stamp, inst)
        return inst

    def network(self, path: Path, inst, draw) -> str:
        """The instance's map (drawn once per loaded instance)."""
        key = f"map:{path}"
        hit = self._instances.get(key)
        if hit and hit[0] is inst:
            return hit[1]
        svg = draw(inst)
        self._instances[key] = (inst, svg)
        return svg

    # -- pages ------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return self.render(request, "index.html", instances=self.ws.instances(), cases=self.ws.cases(), games=self.ws.games(),
                           scenarios=self.ws.scenarios())

    async def freight(self, request: Request) -> Response:
        return await self._freight_page(request)

    async def _freight_page(self, request: Request, form=None, status_code: int = 200, message: str | None = None,
                            key: str | None = None) -> Response:
        sources = self.ws.instances()
        key = key or (form.get("instance") if form is not None else None) or request.query_params.get("instance")
        src = self.ws.find(sources, key)
        ctx: dict = {"sources": sources, "source": src, "form": form, "message": message,
                     "job": request.query_params.get("job"), "compare_error": None}
        if src is None:
            ctx["load_error"] = f"no instance {key!r}" if key else "no freight instance found (put an instance folder or a workbook in the workspace)"
            return self.render(request, "freight.html", status_code=404 if key else 200, **ctx)
        try:
            inst = await run_in_threadpool(self.instance, src.path)
        except InputError as exc:
            ctx["load_error"] = str(exc)
            return self.render(request, "freight.html", status_code=422, **ctx)
        from .freight_view import network_map

        scenarios = self.ws.scenarios(inst.name)
        selected = request.query_params.get("scenario")
        chosen = next((s for s in scenarios if s["name"] == selected), None)
        ctx.update(
            inst=inst, params=parameter_fields(inst),
            hubs=[{"id": h, "name": str(r.get("name", h)), "closed": h in (inst.params.get("closed_hubs") or ()),
                   "open": h in (inst.params.get("open_hubs") or ())} for h, r in inst.hubs.iterrows()],
            network=await run_in_threadpool(self.network, src.path, inst, network_map),
            scenarios=scenarios, chosen=chosen, kpis=kpi_rows(chosen["kpis"], chosen["baseline"]) if chosen else None,
            default_name=f"{inst.name}-{datetime.now().strftime('%H%M%S')}",
        )
        if form is not None and hasattr(form, "errors"):
            ctx["errors"] = form.errors
        return self.render(request, "freight.html", status_code=status_code, **ctx)

    async def freight_solve(self, request: Request) -> Response:
        posted = await request.form()
        src = self.ws.find(self.ws.instances(), posted.get("instance"))
        if src is None:
            return PlainTextResponse("unknown instance", status_code=404)
        inst = await run_in_threadpool(self.instance, src.path)
        f = freight_form(inst, posted)
        if f.errors or f.general:
            view = _FormView(posted, f.errors, f.general, f.hubs)
            return await self._freight_page(request, view, message="Fix the fields marked below; nothing was solved.")
        target = self.ws.reserve(f.scenario or inst.name)
        job = self.jobs.submit_freight(target.name, src.path, f.overrides, target, f.time_limit)
        return RedirectResponse(f"/freight?instance={src.key}&job={job.id}", status_code=303)

    async def freight_compare(self, request: Request) -> Response:
        posted = await request.form()
        names = [n for n in posted.getlist("run") if self.ws.run_dir(n) is not None]
        key = posted.get("instance") or ""
        if len(names) < 2:
            return await self._freight_page(request, None, message="Tick two or more scenarios to compare.", key=key)
        from .. import api

        out = self.ws.comparison_dir()
        try:
            await run_in_threadpool(api.write_freight_comparison, [self.ws.run_dir(n) for n in names], (), out / "compare.html")
        except InputError as exc:
            self.ws.release(out)
            return await self._freight_page(request, None, status_code=422, message=str(exc), key=key)
        rel = (out / "compare.html").relative_to(self.ws.root).as_posix()
        return RedirectResponse(f"/compare?file={rel}&instance={key}&runs={','.join(names)}", status_code=303)

    async def compare_page(self, request: Request) -> Response:
        rel = request.query_params.get("file", "")
        if self.ws.file(rel) is None:
            return PlainTextResponse("no such comparison", status_code=404)
        return self.render(request, "compare.html", file=rel, instance=request.query_params.get("instance", ""),
                           runs=[r for r in request.query_params.get("runs", "").split(",") if r])

    async def job_status(self, request: Request) -> Response:
        st = self.jobs.status(request.path_params["job_id"])
        if st is None:
            return JSONResponse({"error": "no such job"}, status_code=404)
        return JSONResponse(st)

    async def job_cancel(self, request: Request) -> Response:
        ok = self.jobs.cancel(request.path_params["job_id"])
        return JSONResponse({"cancelled": ok}, status_code=200 if ok else 409)

    async def files(self, request: Request) -> Response:
        p = self.ws.file(request.path_params["path"])
        if p is None:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(p)

    # -- enclave ----------------------------------------------------------------------------
    async def enclave(self, request: Request) -> Response:
        from ..documents import read_yaml

        sources = self.ws.cases()
        src = self.ws.find(sources, request.query_params.get("case"))
        if src is None:
            return self.render(request, "enclave.html", status_code=404, sources=sources, source=None, values=None,
                               load_error="no such case")
        try:
            data = read_yaml(src.path).data
        except InputError as exc:
            return self.render(request, "enclave.html", status_code=422, sources=sources, source=src, values=None, load_error=str(exc))
        values = case_to_form(data)
        cf = await run_in_threadpool(read_case_form, _DictForm.of(values))
        return await self._enclave_result(request, sources, src, cf)

    async def _enclave_result(self, request: Request, sources, src, cf, status_code: int = 200, message: str | None = None) -> Response:
        from .enclave_view import split_by_rule

        results = await run_in_threadpool(split_by_rule, cf.case) if cf.case is not None else None
        if cf.case is None:
            message = message or "Fix the fields marked below; the split was not computed."
        return self.render(request, "enclave.html", status_code=status_code, sources=sources, source=src, values=_with_spares(cf.values),
                           errors=cf.errors, general=cf.general, results=results, roles=ROLE_CHOICES, message=message)

    async def enclave_post(self, request: Request) -> Response:
        posted = await request.form()
        sources = self.ws.cases()
        src = self.ws.find(sources, posted.get("case"))
        cf = await run_in_threadpool(read_case_form, posted)
        action = posted.get("action", "update")
        if cf.case is None or action == "update":
            return await self._enclave_result(request, sources, src, cf)
        name = slug(cf.case.name, "case")
        if action == "yaml":
            return Response(case_yaml(cf.data), media_type="application/x-yaml",
                            headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})
        if action == "save":
            from ..results import atomic_write_text

            (self.ws.root / "cases").mkdir(exist_ok=True)
            atomic_write_text(self.ws.root / "cases" / f"{name}.yaml", case_yaml(cf.data))
            return await self._enclave_result(request, self.ws.cases(), src, cf, message=f"saved as cases/{name}.yaml in the workspace")
        if action == "zip":
            from .enclave_view import write_runs

            folder = self.ws.reserve(f"{name}-enclave")
            await run_in_threadpool(write_runs, cf.case, cf.data, folder)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for p in sorted(folder.rglob("*")):
                    if p.is_file():
                        z.write(p, (Path(folder.name) / p.relative_to(folder)).as_posix())
            return Response(buf.getvalue(), media_type="application/zip",
                            headers={"Content-Disposition": f'attachment; filename="{folder.name}.zip"'})
        return PlainTextResponse(f"unknown action {action!r}", status_code=400)

    # -- games ------------------------------------------------------------------------------
    async def games(self, request: Request) -> Response:
        from .. import api
        from .games_view import allocations

        sources = self.ws.games()
        src = self.ws.find(sources, request.query_params.get("game"))
        if src is None:
            return self.render(request, "games.html", status_code=404, sources=sources, source=None, load_error="no such game")
        try:
            game = await run_in_threadpool(api.load_game, src.path)
        except InputError as exc:
            return self.render(request, "games.html", status_code=422, sources=sources, source=src, load_error=str(exc))
        table = await run_in_threadpool(allocations, game)
        return self.render(request, "games.html", sources=sources, source=src, game=game, table=table)

    async def favicon(self, request: Request) -> Response:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")


class _DictForm(dict):
    """A plain dict that answers ``getlist`` like a posted form (for the form built from a file)."""

    @classmethod
    def of(cls, values: dict) -> "_DictForm":
        flat = {k: v for k, v in values.items() if k not in ("parties", "revenues")}
        for i, row in enumerate(values.get("parties", [])):
            for k, v in row.items():
                flat[f"party-{i}-{k}"] = v
        for i, row in enumerate(values.get("revenues", [])):
            for k, v in row.items():
                flat[f"revenue-{i}-{k}"] = v
        return cls(flat)

    def getlist(self, key: str) -> list:
        v = self.get(key)
        return [] if v is None else v if isinstance(v, list) else [v]


class _FormView:
    """What the user posted, with the problems of each field, for re-rendering the form."""

    def __init__(self, posted, errors: dict, general: list, hubs: dict) -> None:
        self.posted = posted
        self.errors = errors
        self.general = general
        self.hubs = hubs

    def get(self, key: str, default=None):
        return self.posted.get(key, default) if self.posted is not None else default

    def ticked(self, name: str, hub: str, default: bool) -> bool:
        return hub in self.hubs.get(name, []) if name in self.hubs else default


def _with_spares(values: dict) -> dict:
    """Keep one blank party row and one blank revenue row at the end of the form."""
    out = dict(values)
    for key, blank in (("parties", {"id": "", "role": "", "contributions": "", "disagreement": "", "weight": ""}),
                       ("revenues", {"stream": "", "values": ""})):
        rows = [r for r in out.get(key, [])]
        if not rows or any(v.strip() for v in rows[-1].values()):
            rows.append(dict(blank))
        out[key] = rows
    return out


def create_app(workspace: str | Path = "workspace", *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The web app over ``workspace`` (created if missing). ``allowed_hosts``: Host headers accepted
    (default 127.0.0.1 and localhost: a page elsewhere cannot reach the server through DNS rebinding)."""
    a = App(workspace)

    async def on_error(request: Request, exc: Exception) -> Response:
        log.exception(f"{request.method} {request.url.path}: internal error")
        text = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, OptimizerError):
            text = str(exc)
        return a.templates.TemplateResponse(request, "error.html", {"error": text, "workspace": str(a.ws.root), "active_jobs": []},
                                            status_code=500)

    async def security(request: Request, call_next):
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host"):
                return PlainTextResponse("cross-site request refused", status_code=403)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    from starlette.middleware.base import BaseHTTPMiddleware

    routes = [
        Route("/", a.home),
        Route("/freight", a.freight),
        Route("/freight/solve", a.freight_solve, methods=["POST"]),
        Route("/freight/compare", a.freight_compare, methods=["POST"]),
        Route("/compare", a.compare_page),
        Route("/api/jobs/{job_id}", a.job_status),
        Route("/api/jobs/{job_id}/cancel", a.job_cancel, methods=["POST"]),
        Route("/files/{path:path}", a.files),
        Route("/enclave", a.enclave),
        Route("/enclave", a.enclave_post, methods=["POST"]),
        Route("/games", a.games),
        Route("/favicon.ico", a.favicon),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or [HOST, "localhost"]),
            Middleware(BaseHTTPMiddleware, dispatch=security),
        ],
        exception_handlers={Exception: on_error, InfeasibleError: on_error},
    )
    app.state.optimizer = a
    return app


def serve(port: int = 8050, workspace: str | Path = "workspace") -> None:
    """Run the server on 127.0.0.1:``port`` until interrupted."""
    import uvicorn

    from ..logs import start_console

    start_console()
    app = create_app(workspace)
    ws = app.state.optimizer.ws.root
    print(f"optimizer serve: listening on 127.0.0.1 only (not reachable from other machines)\n"
          f"  open http://{HOST}:{port}/ in a browser; workspace {ws}; Ctrl+C stops the server", flush=True)
    uvicorn.run(app, host=HOST, port=port, log_level=os.environ.get("OPTIMIZER_WEB_LOG", "warning"))
