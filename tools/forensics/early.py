"""The checks of the file alone, started while the page is being read (issue 30).

Reading the page (OCR) and most forensic checks need nothing from each other: the checks in
`registry.EARLY` (every one that reads neither the page's text, the certificate number, the account nor other
uploads, and is not deferred) look at the file only. With two lanes in the worker's thread budget
(credlift/threads.py), `start(upload)` runs them on a thread of their own while the caller reads the page
(`pipeline.extract(upload, check_meanwhile=True)`: the app and `credlift check`, which authenticate next);
`take(upload)` hands them to authentication, which waits for them, uses the reports of the checks the cascade runs
and drops the others (assess.run_signals), so a report is the same as when every check runs after the read.

They are not started when the capture alone already puts the page outside the detectors' domain (greyscale, too
small, blown out: domain.capture_issues), where the cascade would run none of them; on a page whose layout turns
out unknown they were computed for nothing (the price of not waiting for the read). Started checks are kept by
content hash for the authentication of the same upload in this process (a few at most: `KEPT`); elsewhere
(another process, a Ray replica) authentication runs every check itself.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext

log = logging.getLogger(__name__)

KEPT = 2  # started checks waiting for their authentication, per process (each holds the upload's views)


@dataclass
class CheckResult:
    report: SignalReport
    wall_ms: float
    cpu_ms: float  # CPU of the thread that ran it (library pools' own threads not counted)


@dataclass
class EarlyChecks:
    """Checks of one upload started before its page was read: the context they filled and, once done, their
    results by check name."""
    sha256: str
    ctx: AnalysisContext
    future: Future

    def results(self) -> dict[str, CheckResult]:
        """Waits for the checks to finish; {} when they could not run (authentication then runs them itself)."""
        try:
            return self.future.result()
        except Exception as error:  # never lose the upload's analysis to the early lane
            log.warning("early image checks failed: %s: %s", type(error).__name__, error)
            return {}


_lock = threading.Lock()
_started: "OrderedDict[str, EarlyChecks]" = OrderedDict()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credlift-image-checks")
        return _pool


def analyse_timed(signal, ctx: AnalysisContext, cpu_clock=time.process_time) -> CheckResult:
    """One check on `ctx`, timed; a check that fails reports that it could not run (it must not sink the rest)."""
    started, cpu_started = time.perf_counter(), cpu_clock()
    try:
        report = signal.analyse(ctx)
    except Exception as error:
        log.warning("forensic signal %s failed: %s: %s", signal.name, type(error).__name__, error)
        report = SignalReport(name=signal.name, score=0.0, summary="This check could not run on this image.",
                              details={"error": type(error).__name__})
    return CheckResult(report=report, wall_ms=(time.perf_counter() - started) * 1000.0,
                       cpu_ms=(cpu_clock() - cpu_started) * 1000.0)


def run_early(ctx: AnalysisContext) -> dict[str, CheckResult]:
    """What the early lane does for one upload: the early checks on `ctx`, unless its capture alone is outside the
    domain (the cascade would run none of them)."""
    from credlift.tools.forensics.domain import page_capture_issues

    if page_capture_issues(ctx):
        return {}
    return {signal.name: analyse_timed(signal, ctx, time.thread_time) for signal in early_signals()}


def early_signals() -> list:
    from credlift.tools.forensics.signals.registry import EARLY, default_signals

    return [s for s in default_signals() if s.name in EARLY]


def start(upload) -> EarlyChecks | None:
    """Starts the early checks of `upload` on their own thread, when the worker has two lanes; None otherwise (or
    when the image cannot be analysed: authentication then says so itself)."""
    from credlift import threads
    from credlift.tools.forensics.assess import unreadable_reason

    rgb = getattr(upload, "rgb", None)
    sha256 = getattr(upload, "sha256", None)
    if threads.lanes() < 2 or not sha256 or rgb is None or unreadable_reason(rgb):
        return None
    ctx = AnalysisContext(upload=upload)
    checks = EarlyChecks(sha256=sha256, ctx=ctx, future=_executor().submit(run_early, ctx))
    with _lock:
        _started[sha256] = checks
        _started.move_to_end(sha256)
        while len(_started) > KEPT:
            _started.popitem(last=False)
    return checks


def take(upload) -> EarlyChecks | None:
    """The early checks started for this upload (by content hash) in this process, once; None when there are none."""
    sha256 = getattr(upload, "sha256", None)
    with _lock:
        return _started.pop(sha256, None) if sha256 else None
