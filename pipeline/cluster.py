"""Pages of a batch as tasks on a Dask distributed cluster (`run --cluster ADDRESS|local`).

One machine's process pool stays the default (`run.make_executor`). For an archive of thousands of
drafts the same page function (`run.process_page`) runs as Dask tasks instead: `ClusterPages` is
the executor `run.process_draft_tables` maps a draft's pages over, and it submits the pages of the
drafts ahead of the one being gathered, so the workers stay busy while the client structures,
repairs and writes a draft (atomically, exactly as with the pool). No scheduling of our own: Dask
places the tasks; we only bound how far ahead we submit and turn a lost worker or a page that took
too long into the failure of that page's draft.

Workers read the drafts from their path: they must see the same files (a shared folder); a worker
that cannot gets a one-line error naming the draft, never a blame on the file.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Executor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .ingest import Document, open_document
from .settings import Settings

#: `--cluster local`: start a LocalCluster on this machine (one worker process per core).
LOCAL = "local"
#: Seconds the client waits for one page's result before its draft is failed. A page costs ~1.5 s
#: of CPU (README, Speed); 600 s is far beyond a slow page on a loaded worker, and well below a hang
#: that would hold up a batch of thousands of drafts.
PAGE_TIMEOUT_S = 600.0
#: Seconds to reach an existing cluster's scheduler before `--cluster ADDRESS` gives up.
CONNECT_TIMEOUT_S = 30.0
#: Pages submitted ahead of the draft being gathered, per worker thread: enough that no worker
#: waits while the client writes a draft (a draft's outputs take ~0.3 s), few enough that the
#: finished pages held for the client (page images, ~4 MB each at 200 dpi) stay a few hundred MB.
PREFETCH_PAGES_PER_THREAD = 4
#: Worker deaths a page task survives before it fails (Dask's allowed-failures) on a cluster we
#: start: 0, so a worker that dies while reading a page fails that page's draft at once (a page that
#: crashes its worker would otherwise take down every worker it is retried on); a re-run redoes it.
ALLOWED_WORKER_DEATHS = 0
#: Dask's worker-saturation on a cluster we start: a worker holds only as many page tasks as it has
#: threads (1.0, not Dask's 1.1, which rounds up to two tasks on a one-thread worker), so a dying
#: worker takes only the page it was reading with it.
WORKER_SATURATION = 1.0
#: Environment Dask's nannies give the worker processes of a LocalCluster beyond ours: none, so they
#: run as the process pool's workers do. Dask's default sets MALLOC_TRIM_THRESHOLD_, which turns off
#: glibc's adaptive mmap threshold: every page-sized image array is then mapped and faulted in anew
#: (measured: ~5% more CPU per page, median of 3, under load), and its thread limits are moot with one thread.
WORKER_ENVIRON: dict[str, str] = {}
#: Threads per worker process of a LocalCluster: one page at a time, like a process-pool worker
#: (the OCR sessions run one inference thread each).
THREADS_PER_WORKER = 1
#: Key prefix of page tasks (their task group on the dashboard); keys are (prefix, file, page, serial).
TASK_PREFIX = "pipeline-page"
#: Kinds of draft whose pages go through run.process_page (text extractions and office files are
#: read in the client).
PAGE_KINDS = ("pdf", "image")
#: Exit code of a draft lost to the cluster (a worker died, a page timed out, a task was cancelled).
CLUSTER_FAILURE_EXIT = 16

logger = logging.getLogger("pipeline")


class ClusterTaskFailed(PipelineError):
    """A page task of the draft was lost to the cluster, not to the file: re-run to complete it."""

    exit_code = CLUSTER_FAILURE_EXIT


class WorkerCannotSeeDraft(PipelineError):
    """The worker has no file at the draft's path: workers need the drafts on a shared path."""

    exit_code = CLUSTER_FAILURE_EXIT


def _engine_plugin(settings: Settings) -> Any:
    """A worker plugin that loads the OCR engine once when each worker starts (also workers that
    join later or replace a dead one), so no page pays for it and a multi-thread worker loads once."""
    from distributed import WorkerPlugin

    class EngineLoader(WorkerPlugin):
        name = "pipeline-ocr-engine"

        def __init__(self, settings: Settings) -> None:
            self.settings = settings

        def setup(self, worker: Any) -> None:
            from .ocr import get_engine

            get_engine(self.settings)  # cached per process: the page tasks find it loaded

    return EngineLoader(settings)


def engines_loaded() -> list[str]:
    """The OCR engines this process has loaded (run on each worker: one load per worker)."""
    from .ocr.base import _ENGINES

    return sorted(engine.name or type(engine).__name__ for engine in _ENGINES.values())


def run_page_task(fn: Callable[..., Any], doc: Document, index: int, settings: Settings, shown: str) -> Any:
    """On the worker: page `index` of `doc` through `fn` (run.process_page). `doc.path` is absolute
    (the worker's working folder is not the client's); errors name the draft as the client named it."""
    if not doc.path.is_file():
        import socket

        raise WorkerCannotSeeDraft(shown, f"worker on {socket.gethostname()} has no file at {doc.path}: "
                                          "workers must see the drafts on a shared path")
    try:
        return fn(doc, index, settings)
    except PipelineError as exc:
        if exc.path == str(doc.path) and shown != exc.path:
            raise type(exc)(shown, exc.reason) from None
        raise


@dataclass
class _Submitted:
    doc: Document
    futures: list[Any]


class ClusterPages(Executor):
    """The executor `process_draft_tables` maps a draft's pages over, backed by a Dask client.

    `prefetch(paths)` queues the drafts a batch will process; their pages are submitted ahead of
    the draft being gathered, at most `PREFETCH_PAGES_PER_THREAD` per worker thread beyond it. A
    draft `map` asks for that was not prefetched (or was opened differently) is submitted then."""

    #: run.process_draft_tables sends even a one-page draft here (it reads one-page drafts in the
    #: client for a local pool, where a round trip buys nothing).
    remote = True

    def __init__(self, client: Any, settings: Settings, page_timeout_s: float = PAGE_TIMEOUT_S,
                 on_close: Callable[[], None] | None = None) -> None:
        self.client = client
        self.settings = settings
        self.page_timeout_s = page_timeout_s
        self._on_close = on_close
        self._queue: deque[Path] = deque()
        self._submitted: dict[Path, _Submitted] = {}
        self._page_fn: Callable[..., Any] | None = None
        self._serial = itertools.count()

    # --- Executor --------------------------------------------------------------------------
    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, buffersize: int | None = None) -> Iterator[Any]:
        """fn(doc, index, settings) for the pages given, in order; a lost worker, a page past the
        timeout or a cancelled task raises ClusterTaskFailed for the draft."""
        docs, indexes, settings = (list(it) for it in iterables)
        if not docs:
            return iter(())
        self._page_fn = fn
        doc: Document = docs[0]
        held = self._submitted.pop(doc.path, None)
        if held is None or held.doc != doc or any(s != self.settings for s in settings) \
                or list(indexes) != list(range(doc.page_count)):
            if held is not None:
                self.client.cancel(held.futures)
            held = _Submitted(doc, [self._submit(fn, doc, i, s) for i, s in zip(indexes, settings, strict=True)])
        return self._gather(doc, held.futures, timeout if timeout is not None else self.page_timeout_s)

    def _gather(self, doc: Document, futures: list[Any], timeout: float) -> Iterator[Any]:
        from distributed import KilledWorker

        try:
            for index, future in enumerate(futures):
                try:
                    outcome = future.result(timeout=timeout)
                except KilledWorker as exc:
                    worker = getattr(getattr(exc, "last_worker", None), "address", "a worker")
                    raise ClusterTaskFailed(str(doc.path), f"the worker reading page {index + 1} died ({worker}); "
                                                           "nothing of the draft was written, run again to "
                                                           "complete it") from None
                except TimeoutError:
                    raise ClusterTaskFailed(str(doc.path), f"page {index + 1} took more than {timeout:g} s on "
                                                           "the cluster; nothing of the draft was written") from None
                except CancelledError:
                    raise ClusterTaskFailed(str(doc.path), f"page {index + 1} was cancelled by the cluster (the "
                                                           "scheduler restarted or the client lost it)") from None
                futures[index] = None  # the client holds the page now: let the cluster forget it
                self._top_up()
                yield outcome
        finally:
            left = [f for f in futures if f is not None]
            if left:
                self.client.cancel(left)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel what is still submitted, then close the client (and the cluster we started)."""
        for held in self._submitted.values():
            self.client.cancel(held.futures)
        self._submitted.clear()
        self._queue.clear()
        if self._on_close is not None:
            close, self._on_close = self._on_close, None
            close()

    # --- submitting ahead ------------------------------------------------------------------
    def prefetch(self, paths: Sequence[Path]) -> None:
        """The drafts the batch will ask for, in order: their pages go to the cluster ahead."""
        self._queue.extend(paths)
        self._top_up()

    def _threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def _top_up(self) -> None:
        from .run import process_page

        fn = self._page_fn or process_page
        limit = PREFETCH_PAGES_PER_THREAD * self._threads()
        while self._queue and sum(len(h.futures) for h in self._submitted.values()) < limit:
            path = self._queue.popleft()
            try:
                doc = open_document(path, self.settings)
            except PipelineError:
                continue  # the batch reports it when it gets there
            if doc.kind not in PAGE_KINDS or doc.path in self._submitted:
                continue
            self._submitted[doc.path] = _Submitted(
                doc, [self._submit(fn, doc, i, self.settings) for i in range(doc.page_count)])

    def _submit(self, fn: Callable[..., Any], doc: Document, index: int, settings: Settings) -> Any:
        """One page task. Marked a data producer (a root task), so Dask queues it on the scheduler
        and hands a worker only as many as it has threads (worker-saturation); a plain `submit` of a
        few tasks is assigned eagerly, several to one worker, and a dying worker would take them
        all. Keys share one prefix (one task group) and name the draft and page."""
        from dask._task_spec import Task

        absolute = replace(doc, path=doc.path.resolve())
        key = (TASK_PREFIX, doc.path.name, index + 1, next(self._serial))
        task = Task(key, run_page_task, fn, absolute, index, settings, str(doc.path), _data_producer=True)
        return self.client.get({key: task}, [key], sync=False)[0]


#: Dask's own logs shown at and above this level (its scheduler and nannies narrate every start and
#: stop at INFO); `-v` shows them all.
DASK_LOG_LEVEL = logging.WARNING


def _quiet_dask_logs() -> None:
    """Dask's loggers (configured at import, each with its level) down to warnings."""
    for name in [*logging.root.manager.loggerDict, "distributed"]:
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(DASK_LOG_LEVEL)


@contextmanager
def cluster_pages(address: str, settings: Settings, workers: int,
                  page_timeout_s: float = PAGE_TIMEOUT_S) -> Iterator[ClusterPages]:
    """A ClusterPages on the Dask scheduler at `address`, or on a LocalCluster of `workers` worker
    processes started here for `LOCAL`; closed (and the local cluster stopped) on exit."""
    import dask
    from distributed import Client, LocalCluster

    if not logger.isEnabledFor(logging.DEBUG):
        _quiet_dask_logs()
    cluster = None
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_WORKER_DEATHS,
                          "distributed.scheduler.worker-saturation": WORKER_SATURATION,
                          "distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}):
        if address == LOCAL:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=THREADS_PER_WORKER, processes=True,
                                   dashboard_address=None, silence_logs=DASK_LOG_LEVEL)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout=CONNECT_TIMEOUT_S)
            except OSError as exc:
                raise ClusterTaskFailed(address, f"cannot reach the Dask scheduler ({exc})") from None

    def close() -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    pages = ClusterPages(client, settings, page_timeout_s, on_close=close)
    try:
        client.register_plugin(_engine_plugin(settings), name="pipeline-ocr-engine")
        yield pages
    finally:
        pages.shutdown()
