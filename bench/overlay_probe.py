"""The in-process overlay latency alone, for before/after comparisons of one change: one candidate
vendor with 5 edges laid over a loaded portfolio through the Python binding, the mean of CALLS calls
after the reference evaluation (bench/embedding measures the same with HTTP and the baseline beside it).

usage: PYTHONPATH=BUILD/python python3 bench/overlay_probe.py DB [RULES] [CALLS]
e.g.   build/bench/generate_portfolio /tmp/g10 --vendors 10000 --services 1000 --edges 100000
       build/cli/vigil import /tmp/g10 --db /tmp/g10.db
       PYTHONPATH=build/python python3 bench/overlay_probe.py /tmp/g10.db rules 20"""
import sys
import time

import vigil

db = sys.argv[1]
rules = sys.argv[2] if len(sys.argv) > 2 else "rules"
calls = int(sys.argv[3]) if len(sys.argv) > 3 else 20
engine = vigil.Engine(rules=rules, db=db)
candidate = {"id": "VNEW", "kind": "vendor", "attributes": {"name": "Candidate", "tier": "critical", "status": "active",
                                                           "data_access": "restricted", "annual_spend": 100000}}
edges = [{"from": "S%06d" % s, "to": "VNEW", "kind": "depends_on"} for s in range(3)] + \
        [{"from": "VNEW", "to": "V%07d" % v, "kind": "subcontracts"} for v in range(2)]
engine.evaluate_overlay([candidate], edges, as_of="2026-11-01")  # the reference evaluation, kept per date
started = time.perf_counter()
for _ in range(calls):
    findings = engine.evaluate_overlay([candidate], edges, as_of="2026-11-01")
print(f"overlay: {(time.perf_counter() - started) * 1000 / calls:.1f} ms a call ({calls} calls, {len(findings)} findings)")
