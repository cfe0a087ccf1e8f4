"""``sagashi serve``: a search page and a JSON API over one index.

An ASGI app (Starlette) served by uvicorn, with Jinja2 templates that escape
everything. It sits beside ``cli/``, above ``engine.py``: it opens nothing of
its own and shares one :class:`~sagashi.engine.Engine` across requests (the
engine holds a lock, and switches to a new index generation when a reindex
swaps one in).

Only ``sagashi serve`` imports this package, inside its command function, so
the web stack never adds to the start-up of ``sagashi search``.

- ``app.py``      the routes, error handling and security headers
- ``params.py``   query parameters -> checked values (limits, pages)
- ``views.py``    search results -> what the templates show (snippets, links)
- ``cache.py``    recent answers, kept until the index changes
- ``i18n.py``     the interface's words in Japanese and English
- ``openapi.py``  the API's OpenAPI document
- ``server.py``   binding a socket (loopback by default) and running uvicorn
"""
