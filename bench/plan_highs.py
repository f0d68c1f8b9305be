"""HiGHS alone on the model Custodes exports (the floor of the plan benchmark): read the
MPS file with highspy, solve on one thread, print one JSON line with the wall seconds
(read and solve), the objective, the gap and the status.

Usage: python plan_highs.py model.mps GAP SECONDS
"""
import json
import sys
import time

import highspy


def main():
    path, gap, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    clock = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", seconds)
    h.setOptionValue("mip_rel_gap", gap)
    h.readModel(path)
    h.run()
    wall = time.perf_counter() - clock
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    print(json.dumps({
        "seconds": round(wall, 3),
        "objective": info.objective_function_value,
        "gap": info.mip_gap,
        "status": "Optimal" if status == "Optimal" else "TimeLimit" if "Time" in status else status,
    }))


if __name__ == "__main__":
    main()
