"""``optimizer serve``: a local web app over a workspace of ordinary run folders (see docs/web.md).

Starlette routes with server-rendered Jinja2 pages (:mod:`.app`), a background worker for long solves
(:mod:`.jobs`), form ⇄ input conversion checked by the loaders' own code (:mod:`.forms`), and the
workspace layout (:mod:`.workspace`). Maps and comparison pages are the reports of :mod:`optimizer.report`.
"""
