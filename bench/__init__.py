"""Benchmarks: `python -m bench` seeds a benchmark-sized database and prints what the pages and timers manage."""
