"""The results store: one folder per experiment, written so that a kill, a full disk or a
second sweep into the same folder loses nothing finished and leaves nothing half-written.

Layout of ``<out>/``:

* ``parts/<key>.country.parquet``, ``parts/<key>.corridor.parquet`` and
  ``parts/<key>.summary.json``: one run's outputs,
  written (through a temporary file private to the writer and an atomic rename) as soon as
  the run finishes; the summary file is written last and marks the run as stored. It
  records the SHA-256 of the other parts and of its own content, checked whenever the
  store is opened for a sweep and by ``reproduce``;
* ``parts/<key>.failed.json``: a failed run's error and traceback;
* ``quarantine/<time>/``: parts that failed their check (corrupt or edited), moved aside;
  the runs they belonged to are run again;
* ``runs.parquet``: one row per (point, replicate, role) with its run key, seed, status;
* ``country.parquet``, ``corridor.parquet``, ``summary.parquet``, ``failures.parquet``: the
  consolidated tables,
  whose SHA-256 the manifest records and readers check;
* ``manifest.json``: everything needed to re-run the experiment, and its status
  (``running``, ``complete``, ``failures``, ``incomplete``, ``interrupted``);
* ``.migdev.lock``: held (``flock``) by the one process writing the folder; the kernel
  releases it when that process ends, however it ends.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

TABLES = ("runs", "country", "corridor", "summary", "failures")
#: per-step tables a run may keep (one part file each)
FRAMES = ("country", "corridor")


class StoreError(RuntimeError):
    """The results folder cannot be used as asked; the message says what to do."""


class NotAFolder(StoreError, ValueError):
    """The output given is a file: bad input (the command line exits with 2)."""


class StoreBusy(StoreError):
    """Another process is writing the results folder."""


class DiskFull(StoreError):
    """A write failed because the disk (or quota) is full."""


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sha256_json(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def atomic_write(path: Path, write) -> str:
    """Call ``write(tmp_path)``, sync, then rename onto ``path``; no torn file is ever
    visible. The temporary file's name carries this process's id, so two writers never
    touch each other's. Returns the SHA-256 of what was written.

    Raises:
        DiskFull: the disk or quota is full (nothing is left behind).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{socket.gethostname()}-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        digest = _sha256_file(tmp)
        os.replace(tmp, path)
        return digest
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(f"{path.parent}: no space left on the device (or quota) while "
                           f"writing {path.name}") from e
        raise
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: Path, obj) -> str:
    return atomic_write(path, lambda p: Path(p).write_text(json.dumps(obj, indent=2,
                                                                     default=str)))


def write_parquet(path: Path, df: pd.DataFrame) -> str:
    return atomic_write(path, lambda p: df.to_parquet(p, index=False))


def read_json(path: Path, what: str = "file"):
    """Parse a JSON file, or raise StoreError naming it."""
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise StoreError(f"{path}: this {what} is damaged (not valid JSON: {e})") from None


class Store:
    """Results of one experiment under ``root``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "parts"

    # ------------------------------------------------------------------ exclusive use
    @contextmanager
    def lock(self, command: str = ""):
        """Hold the folder for this process, or raise StoreBusy naming the holder."""
        if self.root.exists() and not self.root.is_dir():
            raise NotAFolder(f"{self.root} is a file, not a folder: give a folder for the "
                             f"results (--out), new or one an experiment wrote")
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".migdev.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise StoreBusy(f"{self.root} is in use by {holder}. Wait for it to finish, stop "
                            f"it, or give another --out folder.") from None
        info = (f"migdev pid {os.getpid()} on {socket.gethostname()} since "
                f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}"
                + (f" ({command})" if command else ""))
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        try:
            yield self
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def holder(self) -> str | None:
        """Who holds the folder now (None when nobody does)."""
        path = self.root / ".migdev.lock"
        if not path.exists():
            return None
        fd = os.open(path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return os.pread(fd, 4096, 0).decode(errors="replace").strip() or "a process"
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def prepare(self) -> None:
        """Create the folder and remove temporary files left by killed writers (only call
        while holding the lock: then every temporary file is garbage)."""
        self.parts.mkdir(parents=True, exist_ok=True)
        # the analysis and figures are written by the same commands (a killed one can leave
        # e.g. figures/.headline.png.tmp-HOST-PID behind)
        for folder in (self.parts, self.root, self.root / "analysis", self.root / "figures"):
            for tmp in folder.glob(".*.tmp-*"):
                tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ runs
    def done(self) -> set[str]:
        """Keys of the runs already stored."""
        if not self.parts.is_dir():
            return set()
        return {p.name[: -len(".summary.json")] for p in self.parts.glob("*.summary.json")}

    def save(self, result: dict) -> None:
        """Store one run's result (ok or failed).

        Raises:
            DiskFull: nothing of this run is stored; what was stored before is intact.
        """
        key = result["key"]
        if result["status"] != "ok":
            write_json(self.parts / f"{key}.failed.json",
                       {k: result.get(k) for k in ("key", "error", "traceback", "wall_s")})
            return
        files = {}
        for name in FRAMES:
            if result.get(name) is None:
                continue
            df = result[name].copy()
            df.insert(0, "key", key)
            for col in ("country", "origin", "destination"):
                if col in df:
                    df[col] = df[col].astype(str)
            files[name] = write_parquet(self.parts / f"{key}.{name}.parquet", df)
        payload = {"key": key, "wall_s": result["wall_s"], **(result.get("summary") or {})}
        record = {**payload, "_files": files, "_sha256": _sha256_json(payload)}
        write_json(self.parts / f"{key}.summary.json", record)
        (self.parts / f"{key}.failed.json").unlink(missing_ok=True)

    @staticmethod
    def _payload(record: dict) -> dict:
        return {k: v for k, v in record.items() if k not in ("_files", "_sha256")}

    def check_part(self, key: str) -> str | None:
        """What is wrong with a stored run's files (None when they are as written)."""
        sp = self.parts / f"{key}.summary.json"
        try:
            record = json.loads(sp.read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
            return f"{sp.name}: unreadable ({type(e).__name__})"
        if not isinstance(record, dict) or "_sha256" not in record:
            return f"{sp.name}: written by an older migdev without content hashes"
        if _sha256_json(self._payload(record)) != record["_sha256"]:
            return f"{sp.name}: content differs from its recorded hash (edited or corrupt)"
        for name, digest in record.get("_files", {}).items():
            fp = self.parts / f"{key}.{name}.parquet"
            if not fp.is_file():
                return f"{fp.name}: missing"
            if _sha256_file(fp) != digest:
                return f"{fp.name}: content differs from its recorded hash (edited or corrupt)"
        return None

    def verify(self, keys=None, quarantine: bool = True) -> list[str]:
        """Check every stored run (or ``keys``); move bad ones to ``quarantine/<time>/``.

        Returns:
            one message per bad run (empty: all good). Quarantined runs count as not run.
        """
        keys = sorted(self.done() if keys is None else set(keys) & self.done())
        bad = [(k, why) for k in keys if (why := self.check_part(k))]
        if bad and quarantine:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            dest = self.root / "quarantine" / stamp
            dest.mkdir(parents=True, exist_ok=True)
            for k, _ in bad:
                for f in self.parts.glob(f"{k}.*"):
                    shutil.move(str(f), dest / f.name)
        where = f" (moved to {self.root / 'quarantine'})" if quarantine else ""
        return [f"parts/{why}{where}" for _, why in bad]

    def failures(self, keys=None) -> pd.DataFrame:
        """Failed runs among ``keys`` (default: all) that have not since succeeded."""
        done = self.done()
        wanted = None if keys is None else set(keys)
        rows = []
        for p in sorted(self.parts.glob("*.failed.json")):
            key = p.name[: -len(".failed.json")]
            if key in done:
                p.unlink(missing_ok=True)  # a stale record of a run that later succeeded
                continue
            if wanted is not None and key not in wanted:
                continue
            try:
                rows.append(json.loads(p.read_text()))
            except (json.JSONDecodeError, UnicodeDecodeError):
                rows.append({"key": key, "error": f"{p.name} is damaged", "traceback": "",
                             "wall_s": None})
        return pd.DataFrame(rows, columns=["key", "error", "traceback", "wall_s"])

    def consolidate(self, keys: list[str]) -> dict:
        """Gather the parts of ``keys`` into the consolidated tables (written atomically).

        Returns:
            dict of the tables and ``hashes`` (file name -> SHA-256) for the manifest.
        """
        done = self.done()
        failures = self.failures(keys)  # this experiment's runs only
        keys = [k for k in dict.fromkeys(keys) if k in done]
        summaries = [self._payload(json.loads((self.parts / f"{k}.summary.json").read_text()))
                     for k in keys]
        summary = pd.DataFrame(summaries)
        tables = {"summary": summary}
        for name in FRAMES:
            frames = [pd.read_parquet(self.parts / f"{k}.{name}.parquet") for k in keys
                      if (self.parts / f"{k}.{name}.parquet").exists()]
            tables[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        hashes = {}
        for name, df in tables.items():
            path = self.root / f"{name}.parquet"
            if not df.empty:
                hashes[path.name] = write_parquet(path, df)
            else:
                path.unlink(missing_ok=True)
        hashes["failures.parquet"] = write_parquet(self.root / "failures.parquet", failures)
        return {**tables, "failures": failures, "hashes": hashes}

    # ------------------------------------------------------------------ reading
    def manifest(self) -> dict:
        path = self.root / "manifest.json"
        if not path.is_file():
            raise StoreError(f"{self.root}: no manifest.json here; this is not an experiment "
                             f"folder (run 'migdev run CONFIG --out {self.root}' first)")
        m = read_json(path, "manifest")
        if not isinstance(m, dict) or "runs" not in m or "experiment" not in m:
            raise StoreError(f"{path}: not a migdev manifest (no 'experiment' or 'runs'); "
                             f"re-run the experiment's config with --out {self.root} to "
                             f"rewrite it (stored runs are kept)")
        return m

    def load(self, check: bool = True) -> dict[str, pd.DataFrame]:
        """The consolidated tables, each checked against the hash the manifest recorded.

        Raises:
            StoreError: a table is missing, unreadable or differs from what was written.
        """
        hashes = self.manifest().get("tables", {}) if check else {}
        out = {}
        for name in TABLES:
            p = self.root / f"{name}.parquet"
            if not p.exists():
                out[name] = pd.DataFrame()
                continue
            if check and p.name in hashes and _sha256_file(p) != hashes[p.name]:
                raise StoreError(f"{p}: content differs from the hash recorded in the "
                                 f"manifest (edited or corrupt). Delete it and run the same "
                                 f"'migdev run/sweep' command again to rebuild it from the "
                                 f"stored runs.")
            try:
                out[name] = pd.read_parquet(p)
            except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
                raise StoreError(f"{p}: unreadable ({type(e).__name__}: {e}). Delete it and "
                                 f"run the same command again to rebuild it.") from None
        return out


def status_line(manifest: dict, store: Store) -> str | None:
    """A warning when the manifest's status is not 'complete' (None when it is)."""
    status = manifest.get("status")
    if status == "complete":
        return None
    if status == "running" and store.holder() is None:
        return (f"{store.root}: the sweep that wrote it stopped without finishing (killed); "
                f"run the same command again to resume it")
    reason = manifest.get("stopped", {}).get("reason") if isinstance(
        manifest.get("stopped"), dict) else None
    return f"{store.root}: status '{status}'" + (f" ({reason})" if reason else "")
