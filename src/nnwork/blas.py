"""Matrix products whose result does not depend on how many threads compute them.

`matmul(a, b)` is `np.matmul(a, b)` for small products: one BLAS call. A large 2-D product
(at least `LARGE` multiply-adds) is cut into row blocks — how many, and where, fixed by the
shapes alone — and each block is one single-threaded BLAS call; the blocks are shared out
over `nnwork.threads.get_num_threads()` threads (the caller's and a pool's). `gram(J)` shares
out JᵀJ in the same spirit, by blocks of columns. So a product gives the
same bits on one thread or many (see `nnwork.threads` for why the BLAS's own threads do not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from nnwork import threads

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

LARGE = 1 << 23  # multiply-adds (~8M, e.g. 256×128×256) from which a product is shared out
BLOCK = 1 << 21  # multiply-adds per block, at least
MAX_BLOCKS = 16
MIN_COLUMNS = 64  # columns of each half of a shared-out JᵀJ, at least
MIN_ROWS = 128  # rows per block, at least: thinner blocks cost 10–25 % more on one thread (measured)

_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b (as np.matmul), the same bits on any number of threads."""
    if a.ndim != 2 or b.ndim != 2 or a.size * b.shape[1] < LARGE:
        return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    bounds = _blocks(a.shape[0], a.size * b.shape[1])
    if len(bounds) == 1:
        return np.matmul(a, b, out=out)
    _run([lambda s=start, e=end: np.matmul(a[s:e], b, out=out[s:e]) for start, end in bounds])
    return out


def gram(j: np.ndarray) -> np.ndarray:
    """JᵀJ for J of shape (M, P). Large ones in two column halves A, B: JₐᵀJₐ and J_BᵀJ_B
    (symmetric products, half the work each) and JₐᵀJ_B (a full product, as much work as the
    other two together) — three single-threaded BLAS calls on all M rows, so two threads get
    equal shares, and any count gives the same bits."""
    rows, width = j.shape
    if rows * width * width < LARGE or width < 2 * MIN_COLUMNS:
        return j.T @ j
    half = width // 2
    a, b = slice(0, half), slice(half, width)
    out = np.empty((width, width), dtype=j.dtype)

    def symmetric(part: slice) -> None:
        block = j[:, part]
        out[part, part] = block.T @ block

    def across() -> None:
        product = j[:, a].T @ j[:, b]
        out[a, b] = product
        out[b, a] = product.T

    _run([across, lambda: symmetric(a), lambda: symmetric(b)])
    return out


def _blocks(rows: int, work: int) -> list[tuple[int, int]]:
    """Row ranges for a product of `work` multiply-adds over `rows` rows: shapes alone decide."""
    count = int(max(1, min(MAX_BLOCKS, work // BLOCK, rows // MIN_ROWS)))
    edges = [rows * i // count for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _run(tasks: list[Callable[[], Any]]) -> None:
    """Run the tasks on get_num_threads() threads (the caller's among them), the BLAS held on
    one thread meanwhile; contiguous runs of tasks per thread."""
    threads.large_products += 1
    count = min(threads.get_num_threads(), len(tasks))
    if not threads.holding_blas():
        threads.keep_blas()  # a large product outside nnwork's own work: see keep_blas
    _spread(tasks, count)


def _spread(tasks: list[Callable[[], Any]], count: int) -> None:
    if count <= 1:
        _all(tasks)
        return
    edges = [len(tasks) * i // count for i in range(count + 1)]
    groups = [tasks[s:e] for s, e in zip(edges[:-1], edges[1:])]
    pending = [_executor(count - 1).submit(_all, group) for group in groups[1:]]
    _all(groups[0])
    for future in pending:
        future.result()


def _all(tasks: list[Callable[[], Any]]) -> None:
    for task in tasks:
        task()


def _executor(size: int) -> ThreadPoolExecutor:
    """The worker threads (made on first use, grown when more are asked for)."""
    from concurrent.futures import ThreadPoolExecutor

    global _pool, _pool_size
    if _pool is None or _pool_size < size:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool, _pool_size = ThreadPoolExecutor(max_workers=size, thread_name_prefix="nnwork"), size
    return _pool
