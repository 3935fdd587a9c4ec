#!/usr/bin/env python3
"""How random is an overlay? Compares a peermap GraphML export with
degree-preserving randomisations of itself (networkx double_edge_swap).

    python3 bench/graph-check/randomness.py DIR/graph-end.graphml [--seed 1] [--refs 3] [--json OUT]

Needs networkx (3.x; checked with 3.6.1). Reports, for the overlay and for
the randomisations (mean over --refs graphs, each from --seed + i):

- average shortest path length and average clustering (on the largest
  connected component);
- modularity of the best 3-way split: networkx greedy_modularity_communities
  (Clauset-Newman-Moore) with cutoff=best_n=3, i.e. greedy merging stopped at
  exactly three communities, and the share of edges inside its parts.

Pass criteria (the random baseline's contract): path length within 2% of the
randomisation's, clustering within 1.3x, 3-way modularity within 0.05.
Exit code 1 if any fails.
"""
import argparse
import json
import sys

import networkx as nx
from networkx.algorithms import community

# Swaps per edge: well past the mixing time of double-edge-swap chains (~a few per edge).
SWAPS_PER_EDGE = 10
PATH_TOLERANCE = 0.02
CLUSTERING_RATIO_MAX = 1.3
MODULARITY_TOLERANCE = 0.05


def largest_cc(g):
    return g.subgraph(max(nx.connected_components(g), key=len)).copy()


def measure(g):
    lcc = largest_cc(g)
    parts = community.greedy_modularity_communities(lcc, cutoff=3, best_n=3)
    q = community.modularity(lcc, parts)
    inside = sum(1 for u, v in lcc.edges() if any(u in p and v in p for p in parts)) / lcc.number_of_edges()
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "lccNodes": lcc.number_of_nodes(),
        "avgPathLength": nx.average_shortest_path_length(lcc),
        "avgClustering": nx.average_clustering(lcc),
        "modularity3": q,
        "split3Sizes": sorted((len(p) for p in parts), reverse=True),
        "edgesInside3": inside,
    }


def randomised(g, seed):
    r = nx.Graph(g)
    m = r.number_of_edges()
    nx.double_edge_swap(r, nswap=SWAPS_PER_EDGE * m, max_tries=SWAPS_PER_EDGE * m * 20, seed=seed)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("graphml")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--refs", type=int, default=3, help="randomisations averaged")
    ap.add_argument("--json", help="write the result here")
    a = ap.parse_args()
    g = nx.Graph(nx.read_graphml(a.graphml))
    g.remove_edges_from(nx.selfloop_edges(g))
    own = measure(g)
    refs = [measure(randomised(g, a.seed + i)) for i in range(a.refs)]
    keys = ("avgPathLength", "avgClustering", "modularity3", "edgesInside3")
    ref = {k: sum(r[k] for r in refs) / len(refs) for k in keys}
    checks = {
        "pathLengthWithin2Pct": abs(own["avgPathLength"] / ref["avgPathLength"] - 1) <= PATH_TOLERANCE,
        "clusteringWithin1.3x": own["avgClustering"] <= CLUSTERING_RATIO_MAX * ref["avgClustering"],
        "modularity3Within0.05": abs(own["modularity3"] - ref["modularity3"]) <= MODULARITY_TOLERANCE,
    }
    out = {
        "graph": a.graphml,
        "networkx": nx.__version__,
        "method": {
            "randomisation": f"networkx double_edge_swap, {SWAPS_PER_EDGE} swaps per edge, seeds {a.seed}..{a.seed + a.refs - 1}",
            "split3": "networkx greedy_modularity_communities(cutoff=3, best_n=3) on the largest component",
        },
        "overlay": own,
        "randomised": {**ref, "runs": refs},
        "ratios": {
            "pathLength": own["avgPathLength"] / ref["avgPathLength"],
            "clustering": own["avgClustering"] / ref["avgClustering"],
            "modularity3Diff": own["modularity3"] - ref["modularity3"],
        },
        "checks": checks,
        "pass": all(checks.values()),
    }
    text = json.dumps(out, indent=2)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0 if out["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
