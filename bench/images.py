#!/usr/bin/env python
"""Image benchmarks: the image sync, and uploads through the portal against the SDK.
Prints one JSON object.

    python bench/images.py                       # sync of 5,000 + uploads of 100 MB and 1 GiB
    python bench/images.py --upload-mb 100       # one upload size only
    python bench/images.py --no-openstack        # the sync figures only (simulator)

- sync: 5,000 images in a simulator cloud pulled by the image sync (seconds, SQL
  queries), then pulled again unchanged (which must write no row).
- upload: against the local OpenStack (scripts/openstack-lite, clouds.yaml at
  ~/.cache/portal-oslite/clouds.yaml, cloud oslite-admin): the same file uploaded straight
  to Glance with openstacksdk, then through the portal as a client does it (POST
  /api/v1/images, PUT .../file in Content-Range pieces to a gunicorn web process, the
  transfer by a Celery worker, which starts once the first piece is staged and reads
  later pieces as they arrive), until the Task ends (its `finished_time`; the client
  polls twice a second, as a client would); each side first makes one small
  upload that is not counted (it warms fresh processes up). Throughput ratio (target >= 0.8)
  and the peak RSS of the web and worker processes (target < 200 MB, the same for every
  size), sampled while the upload runs. Then once more with the file's MD5 declared on
  POST (`portal_declared_checksum`): the cloud's copy is checked against it and the
  worker hashes nothing.

Everything runs on a throwaway database (<database>_imgbench, created and dropped here)
and a temporary staging directory; the images it makes in Glance are deleted. The web
process and the worker need a database they can share, so DATABASE_URL defaults to the
machine's PostgreSQL and CELERY_BROKER_URL to its Redis (set them to use others):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
    export CELERY_BROKER_URL=redis://127.0.0.1:6379/12
"""

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
# A fixed key for the throwaway database (the web and worker processes share it).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "LAe4ya_fms1abDXml6i_L8DILBngaFURWDt_ZAn0s08=")

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
MB = 1024 * 1024
PIECE_SIZE = 256 * MB  # one PUT per piece, as a resumable client sends them
WARM_UP_BYTES = 4 * MB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sync-images", type=int, default=5000)
    parser.add_argument("--upload-mb", type=int, action="append")
    parser.add_argument("--no-openstack", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    test_name = connection.settings_dict["NAME"] + "_imgbench"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    report = {"database": test_name}
    try:
        report["sync"] = bench_sync(args.sync_images)
        if args.no_openstack:
            report["upload"] = {"skipped": "--no-openstack"}
        else:
            report["upload"] = bench_uploads(args.upload_mb or [100, 1024])
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)
    print(json.dumps(report, indent=2))


# ---- sync ---------------------------------------------------------------------------


def bench_sync(count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.clouds.drivers import get_driver
    from portal.clouds.models import Cloud
    from portal.clouds.simulator.models import SimulatedObject
    from portal.images.models import Image
    from portal.images.workflows import sync_images

    cloud = Cloud.objects.create(
        name="bench-sim", kind="simulator", region="bench-sim", options={"delays": {}}
    )
    SimulatedObject.objects.bulk_create(
        [
            SimulatedObject(
                cloud=cloud,
                kind=SimulatedObject.Kind.IMAGE,
                backend_id=f"img-{n:06d}",
                name=f"image {n}",
                status="active",
                data={
                    "disk_format": "qcow2",
                    "container_format": "bare",
                    "size": MB * (n + 1),
                    "checksum": f"{n:032x}",
                    "min_disk": 10,
                    "min_ram": 512,
                    "visibility": "public",
                    "properties": {"os_type": "linux"},
                },
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    driver = get_driver(cloud)
    runs = {}
    for label in ("first", "unchanged"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = sync_images(cloud, driver)
            seconds = time.perf_counter() - started
        writes = [
            q for q in queries.captured_queries
            if '"images_image"' in q["sql"] and q["sql"].split()[0] in ("INSERT", "UPDATE")
        ]  # fmt: skip
        runs[label] = {
            "seconds": round(seconds, 3),
            "sql_queries": len(queries),
            "image_writes": len(writes),
            "created": counts.created,
            "updated": counts.updated,
            "missing": counts.missing,
        }
    return {
        "images": count,
        "rows": Image.objects.filter(cloud=cloud).count(),
        **runs,
        "unchanged_sync_writes_no_row": runs["unchanged"]["image_writes"] == 0,
    }


# ---- uploads ------------------------------------------------------------------------


class FileSlice:
    """`length` bytes of a file from `start`, read by read (requests streams it with a
    Content-Length because of __len__)."""

    def __init__(self, path, start, length):
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(start)
        self._remaining = length

    def __len__(self):
        return self._remaining

    def read(self, size=-1):
        if size is None or size < 0 or size > self._remaining:
            size = self._remaining
        chunk = self._file.read(size) if size else b""
        self._remaining -= len(chunk)
        return chunk

    def close(self):
        self._file.close()


class ProcessSampler:
    """Samples the resident memory of processes (and their children) in a thread, and
    counts the CPU seconds they, this process (the client) and the cloud's Glance
    workers use meanwhile: on a small machine the cores bound an upload, so the figures
    say where they went. Glance's workers are found by name at the start and the end
    only (scanning every process while sampling would cost the client a core)."""

    def __init__(self, pids):
        import psutil

        self._named = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peaks = dict.fromkeys(pids, 0)
        self.cpu_seconds = {}
        self._cpu_before = {}
        self._started = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _trees(self):
        import psutil

        trees = {"client": [psutil.Process()]}
        for name, process in self._named.items():
            with contextlib.suppress(psutil.Error):
                trees[name] = [process, *process.children(recursive=True)]
        trees["glance"] = [p for p in psutil.process_iter(["cmdline"]) if _is_glance(p)]
        return trees

    @staticmethod
    def _cpu(processes):
        import psutil

        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def _run(self):
        import psutil

        # The trees as they were at the start: the web worker and the solo Celery worker
        # fork nothing meanwhile, and psutil finds children by scanning every process.
        trees = {name: self._started[name] for name in self._named if name in self._started}
        while not self._stop.is_set():
            for name, processes in trees.items():
                with contextlib.suppress(psutil.Error):
                    # The busiest process of the tree (gunicorn's worker, the Celery worker).
                    rss = max(p.memory_info().rss for p in processes)
                    self.peaks[name] = max(self.peaks[name], rss)
            self._stop.wait(0.1)

    def __enter__(self):
        self._started = self._trees()
        self._cpu_before = {name: self._cpu(tree) for name, tree in self._started.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        after = {name: self._cpu(tree) for name, tree in self._trees().items()}
        self.cpu_seconds = {
            name: round(after.get(name, before) - before, 2)
            for name, before in self._cpu_before.items()
        }
        return False


def _is_glance(process):
    return any("glance" in part for part in process.info["cmdline"] or ())


def bench_uploads(sizes_mb):
    from portal.clouds.openstack.clouds_yaml import import_cloud
    from portal.tenants.models import PlatformAPIKey

    if not CLOUDS_YAML.is_file():
        return {"error": f"no clouds.yaml at {CLOUDS_YAML}: start scripts/openstack-lite/up"}
    cloud = import_cloud(CLOUDS_YAML, CLOUD_NAME, region="bench-oslite").cloud
    _, key = PlatformAPIKey.objects.create_key(name="bench")
    workdir = Path(tempfile.mkdtemp(prefix="imgbench-"))
    try:
        with portal_processes(workdir) as (base_url, pids):
            warm_up(cloud, base_url, key, workdir, pids)
            results = []
            for size_mb in sizes_mb:
                path = workdir / f"image-{size_mb}.raw"
                make_file(path, size_mb * MB)
                sdk = upload_with_sdk(cloud, path)
                portal = upload_through_portal(base_url, key, cloud.region, path, pids)
                declared = upload_through_portal(
                    base_url, key, cloud.region, path, pids, checksum=file_md5(path)
                )
                path.unlink()
                results.append(summary(size_mb, sdk, portal, declared))
            return {"cloud": CLOUD_NAME, "piece_size_mb": PIECE_SIZE // MB, "runs": results}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def warm_up(cloud, base_url, key, workdir, pids):
    """One small upload each way, not counted: the first request of a fresh web process
    and the first Task of a fresh worker import most of the portal and openstacksdk
    (about 1.5 CPU-s each), which a running portal has long done; the SDK's side gets
    its token and connection."""
    path = workdir / "warm-up.raw"
    make_file(path, WARM_UP_BYTES)
    upload_with_sdk(cloud, path)
    upload_through_portal(base_url, key, cloud.region, path, pids)
    path.unlink()


def summary(size_mb, sdk, portal, declared):
    """`portal`: the worker hashes the data to check the cloud's copy (the target's run);
    `portal_declared_checksum`: the client declared the file's MD5, so it does not."""
    ratio, declared_ratio = (
        run["mb_per_s"] / sdk["mb_per_s"] if run.get("mb_per_s") else None
        for run in (portal, declared)
    )
    return {
        "size_mb": size_mb,
        "sdk_direct": sdk,
        "portal": portal,
        "portal_declared_checksum": declared,
        "throughput_ratio": round(ratio, 3) if ratio else None,
        "throughput_ratio_declared_checksum": round(declared_ratio, 3) if declared_ratio else None,
        "ratio_target_met": bool(ratio and ratio >= 0.8),
        "rss_target_met": all(
            mb < 200 for run in (portal, declared) for mb in run.get("peak_rss_mb", {}).values()
        ),
    }


def make_file(path, size):
    """A file of `size` bytes of varied content (not sparse: Glance must really store it)."""
    block = os.urandom(MB)
    with open(path, "wb") as out:
        for _ in range(size // MB):
            out.write(block)
        out.write(block[: size % MB])


def file_md5(path):
    """What a client that knows its file declares (computed before the clock starts)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_with_sdk(cloud, path):
    from openstack.image.v2.image import Image as SdkImage

    from portal.clouds.drivers import get_driver

    conn = get_driver(cloud).handle.connection()  # the same credentials, the bare SDK
    size = path.stat().st_size
    with ProcessSampler({}) as sampler:
        started = time.perf_counter()
        image = SdkImage.new(
            name="imgbench-sdk", disk_format="raw", container_format="bare",
            visibility="private",
        ).create(conn.image)  # fmt: skip
        try:
            with open(path, "rb") as data:
                SdkImage.existing(id=image.id).upload(conn.image, data=data)
            status = conn.image.get_image(image.id).status
            seconds = time.perf_counter() - started
        finally:
            conn.image.delete_image(image.id, ignore_missing=True)
    return {
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / MB / seconds, 1),
        "status": status,
        "cpu_seconds": sampler.cpu_seconds,
    }


def upload_through_portal(base_url, key, region, path, pids, checksum=""):
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {key}"
    size = path.stat().st_size
    metadata = {
        "image_name": "imgbench-portal", "image_diskformat": "raw",
        "image_containerformat": "bare", "region": region, "checksum": checksum,
    }  # fmt: skip
    with ProcessSampler(pids) as sampler:
        started, started_at = time.perf_counter(), time.time()
        created = session.post(f"{base_url}/api/v1/images", json=metadata, timeout=30)
        created.raise_for_status()
        image_id = created.json()["image_id"]
        answer, overlapped = None, False
        for start in range(0, size, PIECE_SIZE):
            length = min(PIECE_SIZE, size - start)
            piece = FileSlice(path, start, length)
            try:
                answer = session.put(
                    f"{base_url}/api/v1/images/{image_id}/file", data=piece, timeout=600,
                    headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Range": f"bytes {start}-{start + length - 1}/{size}",
                    },
                )  # fmt: skip
            finally:
                piece.close()
            if answer.status_code not in (200, 202):
                return {"error": answer.text[:500]}
            # A 202 before the last piece: the transfer to the cloud already started.
            overlapped = overlapped or (answer.status_code == 202 and start + length < size)
        received = time.perf_counter() - started
        task_id = answer.json()["task"]["task_id"]
        # How far the transfer to the cloud had got when the last piece was in.
        progress_at_last_piece = session.get(f"{base_url}/api/v1/tasks/{task_id}").json()
        task = wait_for_task(session, base_url, task_id)
        # Until the Task ended, as the worker recorded it (this machine's clock): the
        # client's polling interval is not the upload's time.
        seconds = datetime.fromisoformat(task["finished_time"]).timestamp() - started_at
    deleted = session.delete(f"{base_url}/api/v1/images/{image_id}?wait=60", timeout=90)
    return {
        "seconds": round(seconds, 2),
        "client_to_portal_seconds": round(received, 2),
        # The legs overlap: what is left of the transfer once the last piece is in.
        "after_last_piece_seconds": round(seconds - received, 2),
        "transfer_started_before_last_piece": overlapped,
        "cloud_progress_at_last_piece_percent": progress_at_last_piece["progress"],
        "mb_per_s": round(size / MB / seconds, 1) if task["state"] == "succeeded" else None,
        "task": {key: task[key] for key in ("state", "message", "error_code")},
        "peak_rss_mb": {name: round(peak / MB, 1) for name, peak in sampler.peaks.items()},
        "cpu_seconds": sampler.cpu_seconds,
        "deleted": deleted.status_code == 202 and deleted.json()["task"]["state"] == "succeeded",
    }


def wait_for_task(session, base_url, task_id):
    while True:
        task = session.get(f"{base_url}/api/v1/tasks/{task_id}", timeout=30).json()
        if task["state"] in ("succeeded", "failed"):
            return task
        # As a client polls (one that takes the completion webhook does not poll at all):
        # at 20 polls a second the web process spent a tenth of its CPU answering them.
        time.sleep(0.5)


@contextlib.contextmanager
def portal_processes(workdir):
    """A gunicorn web process and a Celery worker on the throwaway database."""
    env = {**portal_processes_env(), "MEDIA_ROOT": str(workdir / "media")}
    port = free_port()
    log = open(workdir / "processes.log", "ab")  # noqa: SIM115 (closed below)
    bin_dir = Path(sys.executable).parent
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--timeout", "900", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "-A", "portal", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        wait_for_port(port)
        time.sleep(3)  # the worker connects to the broker
        yield f"http://127.0.0.1:{port}", {"web": web.pid, "worker": worker.pid}
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def portal_processes_env():
    """The environment of a portal process on this process's database."""
    from django.db import connection

    settings = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the web process did not listen on port {port}")


if __name__ == "__main__":
    main()
