"""Benchmarks: each module runs on its own (`python -m bench.<name>`) and writes its figures next to it."""
