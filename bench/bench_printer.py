"""Render time and size of the standard stub (DESIGN §7: <= 2 KB, <= 5 ms). Figures only.

Run: .venv/bin/python -m bench.bench_printer [--runs 500]
"""

from __future__ import annotations

import argparse
import statistics
import time

from drivers.printer import render_ticket
from drivers.printer.samples import standard_ticket
from drivers.profiles import list_profiles, load_profile

STANDARD_80MM = "xprinter-xp80c"


def measure(profile_id: str, runs: int) -> tuple[int, float, float, float]:
    """Bytes, median and p99 wall ms, and CPU ms per render of the standard ticket.

    On a busy machine the wall-clock p99 shows the scheduler more than the renderer; the CPU
    time per render is the figure that does not move with the load.
    """
    profile = load_profile(profile_id)
    stub = standard_ticket()
    data = render_ticket(stub, profile)  # warm: profile registration, imports
    times = []
    cpu = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        render_ticket(stub, profile)
        times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu) / runs * 1000
    times.sort()
    return len(data), statistics.median(times), times[int(len(times) * 0.99) - 1], cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_printer")
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    size, median, p99, cpu = measure(STANDARD_80MM, args.runs)
    print(
        f"standard 80 mm stub ({STANDARD_80MM}): {size} bytes (limit 2048), render median "
        f"{median:.2f} ms, p99 {p99:.2f} ms, CPU {cpu:.2f} ms per stub (limit 5 ms)"
    )
    print(f"{'profile':22} {'bytes':>6} {'median ms':>10} {'p99 ms':>8} {'cpu ms':>7}  qr")
    for profile in list_profiles("printer"):
        size, median, p99, cpu = measure(profile.id, max(20, args.runs // 5))
        qr = "native" if profile.supports("qr_native") else "image"
        print(f"{profile.id:22} {size:6d} {median:10.2f} {p99:8.2f} {cpu:7.2f}  {qr}")


if __name__ == "__main__":
    main()
