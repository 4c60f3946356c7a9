"""A peer in its own process, for W5: JAX fixes its thread count when it starts (XLA sizes its
pool from the CPU affinity), so "JAX on default threads" and "JAX on 1 thread" cannot share
one process. The W5 driver starts one worker per threading mode:

    python benchmarks/worker.py PARENT_PID MARKER jax_peer all|CPU,...

It pins itself to the given CPUs before importing the peer, builds W1/W2 step runners from the
same weights and batch as every other tool (`benchmarks.workloads`, deterministic), and
answers one JSON line per request on its stdin: {"op": "make", "workload": "W1"},
{"op": "run", "label": ..., "steps": n} (it times the steps itself, so the pipe's latency is
not counted) and {"op": "info"}. It exits when its stdin closes or its parent dies.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import load  # noqa: E402  (standard library only)


def serve(peer_name: str, cpus: str) -> None:
    if cpus != "all":
        os.sched_setaffinity(0, [int(c) for c in cpus.split(",")])
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    from benchmarks import peers, workloads
    from benchmarks.steps import describe

    peer = peers.load(peer_name)
    runners: dict[str, Callable[[int], None]] = {}
    reply: dict[str, Any] = {"label": getattr(peer.module, "LABEL", peer.display), "problem": peer.problem,
                             "versions": peer.module.versions() if peer.module else {}}
    protocol.write(json.dumps(reply) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "make":
                workload = getattr(workloads, request["workload"])
                params = workloads.initial_parameters(workload.sizes, workload.activation, seed=0)
                x, y = workloads.step_batch(workload)
                made = peer.module.step_runners(workload, params, x, y)  # type: ignore[union-attr]
                runners.update({f"{request['workload']}:{label}": run for label, run in made.items()})
                reply = {"labels": list(made)}
            elif request["op"] == "run":
                run = runners[request["label"]]
                start = time.perf_counter()
                run(request["steps"])
                reply = {"seconds": time.perf_counter() - start}
            else:
                reply = {"cpus": sorted(os.sched_getaffinity(0)), "os_threads": len(os.listdir("/proc/self/task")),
                         "pid": os.getpid()}
        except Exception as error:
            reply = {"error": describe(error)}
        protocol.write(json.dumps(reply) + "\n")


class Worker:
    """The driver's side: a peer in a child process, whose runners return their own seconds."""

    def __init__(self, children: load.Children, peer_name: str, cpus: list[int] | None) -> None:
        self.children = children
        where = "all" if cpus is None else ",".join(str(c) for c in cpus)
        command = [sys.executable, str(Path(__file__).resolve()), str(os.getpid()), load.marker("worker"),
                   peer_name, where]
        self.process = children.start(command, stdin=-1, stdout=-1, text=True, bufsize=1)
        hello = self._read()
        self.label, self.problem, self.versions = hello["label"], hello["problem"], hello["versions"]

    def _read(self) -> dict[str, Any]:
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"the worker process exited (code {self.process.wait()})")
        return json.loads(line)  # type: ignore[no-any-return]

    def ask(self, **request: Any) -> dict[str, Any]:
        self.process.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def step_runners(self, workload_name: str) -> dict[str, Callable[[int], float]]:
        """{label: run(steps) -> seconds measured in the worker}."""
        labels = self.ask(op="make", workload=workload_name)["labels"]

        def runner(key: str) -> Callable[[int], float]:
            return lambda steps: float(self.ask(op="run", label=key, steps=steps)["seconds"])

        return {label: runner(f"{workload_name}:{label}") for label in labels}

    def info(self) -> dict[str, Any]:
        return self.ask(op="info")

    def close(self) -> None:
        self.children.forget(self.process)


if __name__ == "__main__":
    load.die_with_parent(int(sys.argv[1]), signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: go quietly (the driver cleans up)
    serve(sys.argv[3], sys.argv[4])
