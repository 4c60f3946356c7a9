"""Side-by-side benchmarks of nnwork against PyTorch, JAX, scikit-learn and a hand-written
NumPy network: the workloads of WORKLOADS.md (W1–W4 and M), run in one process with
interleaved repeats. Run `python benchmarks/run.py --help`. Not part of the nnwork package.
"""
