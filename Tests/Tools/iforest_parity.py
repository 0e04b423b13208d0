#!/usr/bin/env python3
"""The scikit-learn side of the Isolation Forest parity tests (Tests/DetectionTests).

  iforest_parity.py odds FILE.npz OUTDIR [--seeds 10]
      Writes OUTDIR/X.txt and y.txt (one row per line) and OUTDIR/splits.json: for each seed a
      60/40 split (train_test_split(test_size=0.4, random_state=seed, stratify=y)) and the ROC AUC
      of -score_samples on the test rows of IsolationForest(random_state=seed) fitted on the train rows.
  iforest_parity.py random OUTDIR
      Writes OUTDIR/train.txt, test.txt and scores.txt: scikit-learn's score_samples of each test row
      with IsolationForest(n_estimators=500, random_state=0) fitted on train.
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


def write_rows(path: Path, rows: np.ndarray) -> None:
    np.savetxt(path, np.atleast_2d(rows) if rows.ndim > 1 else rows, fmt="%.17g")


def odds(npz: str, out: Path, seeds: int) -> None:
    data = np.load(npz, allow_pickle=False)
    X, y = data["X"].astype(np.float64), data["y"].astype(int).ravel()
    write_rows(out / "X.txt", X)
    np.savetxt(out / "y.txt", y, fmt="%d")
    splits = []
    indices = np.arange(len(y))
    for seed in range(seeds):
        train, test = train_test_split(indices, test_size=0.4, random_state=seed, stratify=y)
        model = IsolationForest(random_state=seed).fit(X[train])
        auc = roc_auc_score(y[test], -model.score_samples(X[test]))
        splits.append({"seed": seed, "train": train.tolist(), "test": test.tolist(), "auc": auc})
    (out / "splits.json").write_text(json.dumps(splits))


def random_data(out: Path) -> None:
    rng = np.random.default_rng(7)
    train = rng.normal(0, 1, size=(1000, 5)) * [1, 2, 0.5, 3, 1]
    test = np.vstack([rng.normal(0, 1, size=(450, 5)) * [1, 2, 0.5, 3, 1], rng.uniform(-8, 8, size=(50, 5))])
    model = IsolationForest(n_estimators=500, random_state=0).fit(train)
    write_rows(out / "train.txt", train)
    write_rows(out / "test.txt", test)
    np.savetxt(out / "scores.txt", model.score_samples(test), fmt="%.17g")


def main() -> None:
    args = sys.argv[1:]
    if args[0] == "odds":
        seeds = int(args[args.index("--seeds") + 1]) if "--seeds" in args else 10
        odds(args[1], Path(args[2]), seeds)
    elif args[0] == "random":
        random_data(Path(args[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
