"""Executors: where runs execute. Any ``concurrent.futures.Executor`` will do.

* ``inprocess``: runs one after another in this process (debugging, tiny sweeps);
* ``process`` (default): a local process pool using all cores (``--workers N``);
* ``dask``: an existing Dask cluster (``--scheduler tcp://host:port``) or a local Dask
  cluster on loopback (``--dask-local N``), through the client's executor interface.

Runs are pure functions of their spec, so every executor gives bit-identical outputs.

Leaving ``make_executor`` through an exception (Ctrl-C, SIGTERM, a full disk) cancels what
has not started and stops the workers at once, instead of waiting for every queued run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

#: seconds to wait for a Dask scheduler before giving up (``--connect-timeout``)
CONNECT_TIMEOUT = 10.0


class ExecutorError(RuntimeError):
    """The executor could not be started or was lost; the message says what to do."""


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them (a worker interrupted in
    the middle of a run would otherwise break the pool with a traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _sigint_ignored():
    """SIGINT ignored while a local Dask cluster starts its worker processes, which inherit
    the ignored signal (a Python that starts with SIGINT ignored installs no KeyboardInterrupt
    handler). Ctrl-C, which a terminal sends to every process of its foreground group, then
    reaches only this process, which stops the workers, as a process pool's workers leave
    it to the parent (:func:`_ignore_sigint`); otherwise each worker prints a traceback of
    its own. A Ctrl-C in the second or two the cluster takes to start is not seen. Only the
    main thread can set a signal's handler; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _quiet_cancelled_runs() -> None:
    """In a local Dask worker: drop the warning it logs for a run it was running when it is
    closed (a stopped sweep closes its cluster in the middle of runs, then says what it kept
    and what was not run)."""
    logging.getLogger("distributed.worker.state_machine").addFilter(_not_a_cancelled_run)


def _not_a_cancelled_run(record: logging.LogRecord) -> bool:
    text = record.getMessage()
    return not (text.startswith("Async instruction for") and text.endswith("CancelledError"))


#: glibc's trim threshold for local Dask workers (bytes); see make_executor
WORKER_TRIM_THRESHOLD = 64 * 2**20


class InProcessExecutor(Executor):
    """Runs each submitted call at once, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        f = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except Exception as e:  # noqa: BLE001 - delivered through the future (not Ctrl-C)
            f.set_exception(e)
        return f


def through_dask(scheduler=None, dask_local=None) -> bool:
    """Whether runs go through Dask: a scheduler's address, or a local Dask cluster."""
    return bool(scheduler or dask_local)


def describe(workers=None, scheduler=None, dask_local=None, inprocess=False) -> dict:
    if inprocess:
        return {"kind": "inprocess"}
    if scheduler:
        return {"kind": "dask", "scheduler": scheduler}
    if dask_local:
        return {"kind": "dask-local", "workers": dask_local}
    return {"kind": "process", "workers": workers or os.cpu_count() or 1}


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None, inprocess: bool = False,
                  connect_timeout: float = CONNECT_TIMEOUT):
    """Yield an executor for the chosen back end and close it afterwards.

    Args:
        workers: processes of the local pool (default: all cores).
        scheduler: address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
        dask_local: start a local Dask cluster with this many single-threaded workers.
        inprocess: run in this process.
        connect_timeout: seconds to wait for the Dask scheduler.

    Raises:
        ExecutorError: the scheduler cannot be reached within ``connect_timeout``.
    """
    if inprocess:
        yield InProcessExecutor()
        return
    if through_dask(scheduler, dask_local):
        from distributed import Client, LocalCluster

        if scheduler:
            try:
                client = Client(scheduler, timeout=connect_timeout)
            except (OSError, TimeoutError) as e:
                raise ExecutorError(
                    f"could not reach the Dask scheduler at {scheduler} within "
                    f"{connect_timeout:g} s ({type(e).__name__}). Check the address and that "
                    f"the scheduler is running and reachable; --connect-timeout S waits "
                    f"longer.") from None
            cluster = None
        else:
            import dask

            # Dask's default makes workers return freed heap memory to the system at once
            # (MALLOC_TRIM_THRESHOLD_=64 KiB); the model's per-step temporary arrays are then
            # faulted in again every step, which costs about a third of a run's time.
            # Dask's statistical profiler samples each worker's stacks every 10 ms; on a
            # machine with as many workers as cores that competes with the runs (a sweep
            # of small runs on 2 workers: 1.7-1.8x one worker with it, 1.8-1.9x without).
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_":
                                  WORKER_TRIM_THRESHOLD,
                                  "distributed.worker.profile.enabled": False}):
                with _sigint_ignored():
                    cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1,
                                           host="127.0.0.1", dashboard_address=None,
                                           processes=True)
            client = Client(cluster)
            client.run(_quiet_cancelled_runs)
        ex = client.get_executor(pure=False)  # every submission runs (specs are unique)
        # a lost scheduler is reported once, by the sweep, not as the client's tracebacks
        quiet = logging.getLogger("distributed.client")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            yield ex
        except BaseException:
            ex.shutdown(wait=False)  # Dask's executor: cancels what it was given
            raise
        finally:
            try:
                client.close(timeout=5)
            except Exception:  # noqa: BLE001 - a lost scheduler cannot be closed cleanly
                pass
            quiet.setLevel(level)
            if cluster is not None:
                cluster.close(timeout=10)
        return
    n = workers or os.cpu_count() or 1
    # spawn: the same start method on every platform, and safe with threads in the parent
    ex = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_ignore_sigint)
    try:
        yield ex
    except BaseException:
        stop_pool(ex)
        raise
    ex.shutdown(wait=True)


def stop_pool(ex: ProcessPoolExecutor) -> None:
    """Cancel queued runs and terminate the pool's workers now (their runs are lost; the
    next invocation runs them again)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
