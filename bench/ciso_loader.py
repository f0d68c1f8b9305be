"""The peer of the framework benchmark: a CISO Assistant library file of the same size,
read the way its library loader reads one (PyYAML with the libyaml C loader), then the
structural checks its loader makes on the requirement nodes (unique URNs, parents that
exist, depth). The Django database import that follows in CISO Assistant is not timed.

    python3 bench/ciso_loader.py FILE [RUNS]
"""

import os
import statistics
import sys
import time

import yaml

GROUPS = 100
PER_GROUP = 699


def generate(path):
    nodes = []
    for g in range(GROUPS):
        nodes.append({
            "urn": f"urn:custodes:req_node:generated:g{g}",
            "assessable": False,
            "depth": 1,
            "ref_id": f"g{g}",
            "name": f"Group {g}",
        })
        for i in range(PER_GROUP):
            nodes.append({
                "urn": f"urn:custodes:req_node:generated:g{g}.{i}",
                "assessable": True,
                "depth": 2,
                "parent_urn": f"urn:custodes:req_node:generated:g{g}",
                "ref_id": f"g{g}.{i}",
                "name": f"Indicator {g}.{i}",
                "description": f"Is requirement {g}.{i} met in law and in practice? Look at the law, the budget and the minutes of the last two years.",
                "implementation_groups": ["c" + str(g % 8 + 1)],
                "annotation": "Not at all. / In a few places. / In about half. / In most places. / Fully, and reviewed.",
            })
    library = {
        "urn": "urn:custodes:risk:library:generated",
        "locale": "en",
        "ref_id": "generated",
        "name": "Generated",
        "version": 1,
        "objects": {
            "framework": {
                "urn": "urn:custodes:risk:framework:generated",
                "ref_id": "generated",
                "name": "Generated",
                "min_score": 0,
                "max_score": 100,
                "scores_definition": [{"score": v, "name": n} for v, n in [(0, "0"), (25, "1"), (50, "2"), (75, "3"), (100, "4")]],
                "requirement_nodes": nodes,
            }
        },
    }
    with open(path, "w") as f:
        yaml.dump(library, f, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)


def load(path):
    with open(path) as f:
        library = yaml.load(f, Loader=yaml.CSafeLoader)
    nodes = library["objects"]["framework"]["requirement_nodes"]
    seen = {}
    for node in nodes:
        urn = node["urn"].lower()
        if urn in seen:
            raise ValueError(f"duplicate urn {urn}")
        parent = node.get("parent_urn")
        if parent is not None and parent.lower() not in seen:
            raise ValueError(f"{urn}: unknown parent {parent}")
        depth = node.get("depth", 1)
        if parent is not None and depth != seen[parent.lower()]["depth"] + 1:
            raise ValueError(f"{urn}: wrong depth")
        seen[urn] = node
    return len(nodes) + 1


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ciso-bench-library.yaml"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    if not os.path.exists(path):
        generate(path)
    times = []
    for run in range(1, runs + 1):
        started = time.perf_counter()
        n = load(path)
        ms = (time.perf_counter() - started) * 1000
        print(f"peer run {run}: {ms:.1f} ms")
        times.append(ms)
    print(f"peer median: {statistics.median(times):.1f} ms ({n} nodes, PyYAML {yaml.__version__}, libyaml {yaml.__with_libyaml__})")


if __name__ == "__main__":
    main()
