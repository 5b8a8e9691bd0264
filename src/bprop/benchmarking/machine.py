"""What the benchmark ran on: CPU, BLAS, threads, versions, and the sgemm peak.

The BLAS numbers come from threadpoolctl, which reads them from the loaded
libraries; ``numpy_blas`` picks the library NumPy itself calls (bprop and
scikit-learn multiply through it). The sgemm peak is the best rate of a float32
2048×2048 @ 2048×2048 product with NumPy, measured in the same run as the
contenders so that a fraction of it means something on a shared machine.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BLAS_KEYS = ("internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads", "filepath")


def numpy_blas(threadpools=None) -> dict:
    """The threadpoolctl record of NumPy's BLAS, with every key of BLAS_KEYS (None when unknown)."""
    if threadpools is None:
        from threadpoolctl import threadpool_info

        threadpools = threadpool_info()
    blas = [p for p in threadpools if p.get("user_api") == "blas"]
    numpy_dir = Path(np.__file__).resolve().parent
    own = [p for p in blas if _beside(Path(p.get("filepath", "")), numpy_dir)]
    chosen = (own or blas or [{}])[0]
    return {key: chosen.get(key) for key in BLAS_KEYS}


def _beside(library: Path, numpy_dir: Path) -> bool:
    """True for a library inside numpy/ or numpy.libs/ (where the wheels put it)."""
    parents = {str(p) for p in library.resolve().parents}
    return str(numpy_dir) in parents or str(numpy_dir.with_name("numpy.libs")) in parents


def blas_threads() -> int:
    """The thread count of NumPy's BLAS (1 when it cannot be read)."""
    return int(numpy_blas().get("num_threads") or 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    """The 1-minute load average (runnable processes, averaged), or None where the system has none.

    Above the usable CPU count, other work shared the CPUs during the run.
    """
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe() -> dict:
    """CPU, BLAS (NumPy's, and every thread pool loaded), versions, torch's threads and BLAS, environment.

    Call it after the contenders' libraries are imported, so that their thread
    pools are listed too.
    """
    from threadpoolctl import threadpool_info

    from ..version import __version__

    pools = threadpool_info()
    versions = {"python": platform.python_version(), "bprop": __version__, "numpy": np.__version__}
    for name, module in (("torch", "torch"), ("scikit-learn", "sklearn"), ("threadpoolctl", "threadpoolctl")):
        versions[name] = getattr(sys.modules.get(module), "__version__", None) or _version_of(module)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": affinity,
        "platform": platform.platform(),
        "versions": versions,
        "blas": numpy_blas(pools),
        "threadpools": pools,
        "torch": _torch_info(),
        "environment": {key: os.environ.get(key) for key in ENVIRONMENT},
    }


def _version_of(distribution):
    from importlib import metadata

    try:
        return metadata.version({"sklearn": "scikit-learn"}.get(distribution, distribution))
    except metadata.PackageNotFoundError:
        return None


def _torch_info():
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    wanted = ("BLAS_INFO", "LAPACK_INFO", "USE_MKLDNN", "USE_OPENMP")
    settings = {k: v.strip() for k, v in re.findall(r"(\w+)=([^,\n]*)", torch.__config__.show()) if k in wanted}
    return {"threads": torch.get_num_threads(), "cpu_capability": torch.backends.cpu.get_cpu_capability(), **settings}


def sgemm_peak(n: int = 2048, repeats: int = 5, seed: int = 0) -> dict:
    """The best float32 GEMM rate of NumPy's BLAS: C = A @ B with A, B (n, n), best of ``repeats``.

    Returns {"n", "repeats", "seconds" (best), "gflops" = 2n³ / seconds / 1e9}.
    """
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    C = np.empty((n, n), dtype=np.float32)
    np.matmul(A, B, out=C)  # warm up: thread pool, pages of C
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.matmul(A, B, out=C)
        best = min(best, time.perf_counter() - started)
    return {"n": n, "repeats": repeats, "seconds": best, "gflops": 2 * n**3 / best / 1e9}
