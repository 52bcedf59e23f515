#!/usr/bin/env python3
"""Per-message latency on one SMTP session, as a client sees it: for each message, the time
from MAIL FROM to the reply after the data (which waits for every milter's answer). Sends N
messages cycling through the given files (weighted, in a fixed pseudo-random order) and prints
"p50_ms p99_ms sent". Loopback only. Usage: bench-latency.py PORT N FILE:PERCENT...
"""
import random
import smtplib
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
files = []
for spec in sys.argv[3:]:
    path, percent = spec.rsplit(":", 1)
    with open(path, "rb") as f:
        files.append((f.read(), int(percent)))
order = random.Random(7).choices([data for data, _ in files], weights=[w for _, w in files], k=count)
times = []
with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
    client.ehlo("bench.partner.example")
    for data in order:
        start = time.perf_counter()
        client.sendmail("bench@partner.example", ["member@london.union.example"], data)
        times.append((time.perf_counter() - start) * 1000)
times.sort()
p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"{p(0.50):.2f} {p(0.99):.2f} {len(times)}")
