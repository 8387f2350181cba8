"""Build the default world's occupational mobility network from observed US transitions.

    python scripts/build_network.py                   # writes src/fowsim/data/default/network.csv
    python scripts/build_network.py --out other.csv   # elsewhere (the test suite checks the shipped file)

Input (data/occupational-mobility/, sources and licences in its SOURCES.md):
- us_cps_asec_transitions.csv: the share of each SOC 2010 occupation's US workers found in each
  other occupation a year later (CPS ASEC), and each occupation's OES May 2023 employment;
- soc2010_isco08_crosswalk.csv: SOC 2010 detailed occupations to ISCO-08 unit groups.

Method (an employment-weighted aggregation, as del Rio-Chanona et al. 2021 build theirs from the
same survey):
1. Each SOC code matches the crosswalk's detailed codes by prefix (a detailed code itself, a broad
   code `xx-xxx0` its six characters, a minor group `xx-x000` its four). Each matched detailed
   code counts equally, and is split equally over its ISCO-08 unit groups (the crosswalk carries
   no weights, and there is no US employment by ISCO group: an ASSUMPTION). An ISCO unit group
   belongs to the world occupation of its sub-major group (`isco` in occupations.csv; managers
   and skilled agricultural workers are whole major groups; 44 joins 41, 96 joins 95 and the
   armed forces 0 join protective services 54, as their names there say).
2. Flows F[s, t] = employment[s] x share[s, t]. Moves between SOC codes are summed between world
   occupations through the split weights W: G = W' F W. Stayers stay: a worker who keeps a SOC
   code keeps its world occupation (the split is an accounting of codes, not of moves).
3. The network is each world occupation's moves to the others, as shares of all its moves to
   others (the diagonal is left out). The model puts its self-loop (`world.self_loop`) on the
   diagonal when it reads the file. Shares below `--min-share` are dropped, which keeps the
   network one strongly connected component (it stays one up to 1%).

The output also reports the annual rate of occupation change between the world occupations
implied by the data (moves between world occupations over employment): the level of mobility
that the model's 33 occupations can show, below the rate between finer occupations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "occupational-mobility"
WORLD = ROOT / "src" / "fowsim" / "data" / "default"
FOLD = {"44": "41", "96": "95", "01": "54", "02": "54", "03": "54"}  # as occupations.csv names them
SOURCE = "US CPS ASEC occupation changes, OES 2023 weights (SOURCES.md); scripts/build_network.py"


def soc_prefix(code: str) -> str:
    """The prefix of the crosswalk's detailed SOC codes that a transition code covers."""
    if code.endswith("000"):
        return code[:4]
    if code.endswith("0"):
        return code[:6]
    return code


def split_weights(codes: list[str], crosswalk: pd.DataFrame, occupations: list[str]) -> np.ndarray:
    """W[s, a]: the share of SOC code s that falls in world occupation a (rows sum to 1)."""
    W = np.zeros((len(codes), len(occupations)))
    column = {name: j for j, name in enumerate(occupations)}
    for i, code in enumerate(codes):
        match = crosswalk[crosswalk.soc10.str.startswith(soc_prefix(code))]
        if match.empty:
            raise SystemExit(f"build_network: SOC code {code} has no ISCO-08 match in the crosswalk")
        per_code = 1.0 / match.soc10.nunique()
        for _, group in match.groupby("soc10"):
            for occupation in group.occupation:
                W[i, column[occupation]] += per_code / len(group)
    return W


def world_flows(data: Path = DATA, world: Path = WORLD) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The world's occupations, the annual flows between them (diagonal: stayers) and their US employment."""
    occ = pd.read_csv(world / "occupations.csv", dtype={"isco": str})
    names = list(occ.occupation)
    by_isco = dict(zip(occ.isco, occ.occupation))
    cw = pd.read_csv(data / "soc2010_isco08_crosswalk.csv", dtype=str)
    cw["occupation"] = [by_isco.get(FOLD.get(c[:2], c[:2])) or by_isco[c[0]] for c in cw.isco08]
    tr = pd.read_csv(data / "us_cps_asec_transitions.csv", dtype={"OCC_source": str, "OCC_target": str})
    codes = sorted(set(tr.OCC_source))
    W = split_weights(codes, cw, names)
    employment = tr.drop_duplicates("OCC_source").set_index("OCC_source").TOT_EMP_OCCLY.reindex(codes).to_numpy(float)
    share = tr.pivot_table(index="OCC_source", columns="OCC_target", values="transition_prob_BLS_ASECnorm_corr",
                           fill_value=0.0).reindex(index=codes, columns=codes, fill_value=0.0).to_numpy()  # fmt: skip
    F = share * employment[:, None]
    stayers = np.diag(F).copy()
    np.fill_diagonal(F, 0.0)
    G = W.T @ F @ W + np.diag(W.T @ stayers)
    return names, G, W.T @ employment


def network_shares(G: np.ndarray, min_share: float) -> np.ndarray:
    """Each occupation's moves to others as shares of its moves to others; shares below `min_share` dropped."""
    off = G.copy()
    np.fill_diagonal(off, 0.0)
    off /= off.sum(axis=1, keepdims=True)
    off[off < min_share] = 0.0
    return off / off.sum(axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> int:
    """Write the network (`--out`) and report its links, connectivity and the mobility the data imply."""
    ap = argparse.ArgumentParser(prog="build_network.py", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=WORLD / "network.csv")
    ap.add_argument("--min-share", type=float, default=1e-4, help="drop shares below this (default 1e-4)")
    a = ap.parse_args(argv)
    names, G, employment = world_flows()
    shares = network_shares(G, a.min_share)
    n_components = connected_components(shares > 0, directed=True, connection="strong")[0]
    if n_components != 1:
        raise SystemExit(f"build_network: --min-share={a.min_share} splits the network into {n_components} parts")
    rows = [(names[i], names[j], f"{shares[i, j]:.6f}") for i in range(len(names)) for j in range(len(names))
            if shares[i, j] > 0]  # fmt: skip
    text = "source,target,weight,source_note\n" + "".join(f'{s},{t},{w},"{SOURCE}"\n' for s, t, w in rows)
    tmp = a.out.with_name(a.out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(a.out)
    moved = 1.0 - np.trace(G) / G.sum()
    print(f"{a.out}: {len(rows)} links between {len(names)} occupations, one strongly connected component; "
          f"annual occupation change between them in the data {moved:.1%}; "
          f"US employment {employment.sum() / 1e6:.1f} M, thinnest "
          f"{names[int(np.argmin(employment))]} {employment.min() / 1e6:.2f} M", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
