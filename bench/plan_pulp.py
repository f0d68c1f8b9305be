"""The peer of the plan benchmark: the Custodes plan model written in Python with PuLP and
solved with PuLP's bundled CBC. It reads the same instance.json the optimiser reads and
builds the same rows (see crates/custodes-optimise/src/model.rs), then prints one JSON line:
wall seconds (build and solve), the objective, the gap CBC reports and its status.

Usage: python plan_pulp.py instance.json GAP SECONDS
"""
import json
import os
import re
import sys
import tempfile
import time

import pulp


def main():
    path, gap, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    clock = time.perf_counter()
    p = json.load(open(path))
    n, first = p["years"], p["first_year"]
    last = first + n - 1
    caps = {c["id"]: i for i, c in enumerate(p["capabilities"])}
    m = pulp.LpProblem("plan", pulp.LpMinimize)
    x = {}
    for pi, prog in enumerate(p["programmes"]):
        for oi, opt in enumerate(prog["options"]):
            earliest = max(prog.get("earliest_start") or first, first)
            latest = min(prog.get("latest_start") or last, last - opt["duration"] + 1)
            for s in range(earliest, latest + 1):
                x[pi, oi, s] = pulp.LpVariable(f"x_{pi}_{oi}_{s}", cat="Binary")

    def option(pi, oi):
        return p["programmes"][pi]["options"][oi]

    objective = []
    adds = {}
    for (pi, oi, s), var in x.items():
        for c in option(pi, oi)["contributions"]:
            v = c["per_year"]
            for t in range(n):
                k = first + t - s
                if k < 0 or not v:
                    continue
                val = v[k] if k < len(v) else v[-1]
                if val:
                    adds.setdefault((caps[c["capability"]], t), []).append((val, var))
    for i, cap in enumerate(p["capabilities"]):
        for t in range(n):
            need = cap["required"][t] - cap["current"][t]
            if need <= 0:
                continue
            g = pulp.LpVariable(f"g_{i}_{t}", lowBound=0, upBound=need)
            objective.append(cap["weight"] / (1 + p["discount_rate"]) ** t * g)
            m += g + pulp.lpSum(v * var for v, var in adds.get((i, t), [])) >= need, f"gap_{i}_{t}"
    m += pulp.lpSum(objective)
    for pi, prog in enumerate(p["programmes"]):
        vs = [var for (a, _, _), var in x.items() if a == pi]
        if prog.get("mandatory"):
            m += pulp.lpSum(vs) == 1, f"one_{pi}"
        else:
            m += pulp.lpSum(vs) <= 1, f"one_{pi}"
    index = {prog["id"]: i for i, prog in enumerate(p["programmes"])}
    rules = [(d["before"], d["after"], f"dep{k}") for k, d in enumerate(p.get("dependencies", []))]
    rules += [(g["gate"], g["gated"], f"gate{k}") for k, g in enumerate(p.get("gates", []))]
    for before, after, name in rules:
        a, b = index[before], index[after]
        starts = sorted({s for (q, _, s) in x if q == b})
        for s in starts:
            lhs = [var for (q, _, s2), var in x.items() if q == b and s2 <= s]
            rhs = [var for (q, o, s2), var in x.items() if q == a and s2 + option(q, o)["duration"] <= s]
            m += pulp.lpSum(lhs) - pulp.lpSum(rhs) <= 0, f"{name}_{s}"
    for e, ex in enumerate(p.get("exclusions", [])):
        members = {index[i] for i in ex["programmes"]}
        m += pulp.lpSum(var for (q, _, _), var in x.items() if q in members) <= 1, f"excl_{e}"
    for k, c in enumerate(p.get("capacities", [])):
        led = {i for i, prog in enumerate(p["programmes"]) if prog["lead_actor"] == c["actor"]}
        for t in range(n):
            y = first + t
            running = [var for (q, o, s), var in x.items() if q in led and s <= y < s + option(q, o)["duration"]]
            m += pulp.lpSum(running) <= c["max_running"], f"cap_{k}_{y}"
    for f, src in enumerate(p["sources"]):
        terms, ceiling = [], 0.0
        for t in range(n):
            y = first + t
            year = []
            for (q, o, s), var in x.items():
                for cost in option(q, o)["costs"]:
                    k = y - s
                    if cost["source"] == src["id"] and 0 <= k < len(cost["per_year"]) and cost["per_year"][k]:
                        year.append(cost["per_year"][k] * var)
            if src.get("carry_over"):
                terms += year
                ceiling += src["ceilings"][t]
                m += pulp.lpSum(terms) <= ceiling, f"ceil_{f}_{y}"
            else:
                m += pulp.lpSum(year) <= src["ceilings"][t], f"ceil_{f}_{y}"
    log = os.environ.get("CBC_LOG") or tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=seconds, gapRel=gap, threads=1, logPath=log)
    m.solve(solver)
    wall = time.perf_counter() - clock
    text = open(log).read()
    status = pulp.LpStatus[m.status]
    stopped = "Stopped on time" in text or "time limit" in text.lower()
    objective = pulp.value(m.objective)
    # CBC prints its gap rounded to two decimals ("Gap: 0.01"), so it is computed here from
    # the objective and the lower bound it reports at the end.
    bounds = re.findall(r"Lower bound:\s+([0-9.eE+-]+)", text)
    if bounds and objective:
        gap = max(0.0, (objective - float(bounds[-1])) / abs(objective))
    else:
        gap = None if stopped else 0.0
    print(json.dumps({
        "seconds": round(wall, 3),
        "objective": objective,
        "gap": gap,
        "status": "TimeLimit" if stopped else status,
    }))


if __name__ == "__main__":
    main()
