"""gunicorn's settings for serving Guidance: `gunicorn -c python:guidance.serving wsgi:app` (`make serve`).

Every value can be overridden from the environment (GUIDANCE_BIND, GUIDANCE_WORKERS, ...) or on
gunicorn's command line. `kill -HUP <master pid>` reloads the code gracefully: new workers start,
old ones finish the requests they have and exit.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUIDANCE_BIND", "127.0.0.1:8000")
# Processes for the CPU work (rendering, search), threads for the waits (database, disk). On two
# cores, 2 threads a worker answered sooner than 4 (2026-12-07, taking turns):
# 200 agents (benchmarks/load.py), p95 of a step move 34 / 55 ms on SQLite / PostgreSQL against
# 54 / 62, of a search 48 / 76 against 70 / 92, no errors seen; the step page under wrk -c20
# (three turns each), 28.3-31.9 % of "hello" with p95 24-32 ms, against 22.0-26.1 % and 37-53 ms.
# Saturated by Locust without pauses, they served 4-6 % less: 131 / 169 req/s against 140 / 176.
workers = int(os.environ.get("GUIDANCE_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUIDANCE_THREADS", 2))
worker_class = "gthread"
timeout = int(os.environ.get("GUIDANCE_TIMEOUT", 30))  # a worker silent this long is restarted
graceful_timeout = 20  # on reload or stop: time to finish the requests in flight
# Longer than any client or proxy keeps an idle connection (nginx's default is 75 s): a server that
# closes first races a request just sent on that connection, and a POST lost so cannot be retried.
keepalive = int(os.environ.get("GUIDANCE_KEEPALIVE", 90))
# Longer than the app's own limit (MAX_URL_LENGTH, 4096), so the app answers with its own page.
limit_request_line = 8190
# Recycle a worker now and then (0: never), each at its own moment. Workers share the load evenly,
# so with 10,000 +- 1,000 both reached it in the same second under load: nothing answered while
# they booted, and p95 rose from 45-48 ms to 61-629 ms in an 8-second run (suggestions, wrk -c20).
# A recycle now comes every 100,000-150,000 requests per worker (an hour or more at 200 agents).
max_requests = int(os.environ.get("GUIDANCE_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 2
accesslog = os.environ.get("GUIDANCE_ACCESS_LOG", "-")
# Who, what, status, size, and the time taken in milliseconds (%(M)s).
access_log_format = '%(h)s %(u)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
control_socket_disable = True  # no socket in ~/.gunicorn: nothing outside the app to secure


def worker_exit(server, worker) -> None:
    """Write the search log's queue before the worker goes (a clean stop loses no searches), and
    let search's warm-up end and stop background embedding (its batches are in the cache; another
    worker goes on)."""
    from guidance.search import stop_background_work
    from guidance.services.search_log import close_all

    close_all()
    stop_background_work()


def post_worker_init(worker) -> None:
    """As a worker starts (also after `max_requests` recycles it): compile the templates before it
    takes a request (a third of a second; meanwhile the other workers answer), then load the search
    model and the passage matrix in the background (the first search would wait 0.4-0.7 s for them)."""
    from guidance.search import warm_up_in_background
    from guidance.views.templating import compile_templates

    broken = compile_templates(worker.wsgi)
    if broken:  # the pages using them fail alone, as they would without this
        worker.log.error("templates that do not compile: %s", ", ".join(broken))
    warm_up_in_background(worker.wsgi, worker.log)
