"""Executors: where runs execute. Any ``concurrent.futures.Executor`` will do.

* ``inprocess``: runs one after another in this process (debugging, tiny sweeps);
* ``process`` (default): a local process pool using all cores (``--workers N``);
* ``dask``: an existing Dask cluster (``--scheduler tcp://host:port``) or a local Dask
  cluster on loopback (``--dask-local N``), through the client's executor interface.

Runs are pure functions of their spec, so every executor gives bit-identical outputs.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

#: glibc's trim threshold for local Dask workers (bytes); see make_executor
WORKER_TRIM_THRESHOLD = 64 * 2**20


class InProcessExecutor(Executor):
    """Runs each submitted call at once, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        f = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - delivered through the future
            f.set_exception(e)
        return f


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
                  dask_local: int | None = None, inprocess: bool = False):
    """Yield an executor for the chosen back end and close it afterwards.

    Args:
        workers: processes of the local pool (default: all cores).
        scheduler: address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
        dask_local: start a local Dask cluster with this many single-threaded workers.
        inprocess: run in this process.
    """
    if inprocess:
        yield InProcessExecutor()
        return
    if scheduler or dask_local:
        from distributed import Client, LocalCluster

        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            import dask

            # Dask's default makes workers return freed heap memory to the system at once
            # (MALLOC_TRIM_THRESHOLD_=64 KiB); the model's per-step temporary arrays are then
            # faulted in again every step, which costs about a third of a run's time.
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_":
                                  WORKER_TRIM_THRESHOLD}):
                cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None, processes=True)
            client = Client(cluster)
        try:
            # pure=False: every submission runs (specs are deduplicated before submission)
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    n = workers or os.cpu_count() or 1
    # spawn: the same start method on every platform, and safe with threads in the parent
    with ProcessPoolExecutor(max_workers=n,
                             mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex
