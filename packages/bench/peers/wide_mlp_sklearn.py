"""(Copied from shared/peers for Ponte's bench; only change: the --src option.)

Build a scikit-learn MLPClassifier that carries wide_mlp's ONNX weights, so the
Python peer servers (flask_app.py, fastapi_app.py) can serve wide_mlp the
classic joblib way.

Reads <src>/model.onnx and <src>/golden.json (--src, default ../models/wide_mlp relative to
this file; Ponte's bench copy passes the shared models folder explicitly), writes
<out>/model.joblib and <out>/schema.json (--out is required: the shared folder is read-only),
and checks predict_proba against wide_mlp's golden.json (atol 1e-5).
The weights are stored as float64, as a model trained by scikit-learn would be.

usage: python3 wide_mlp_sklearn.py --out DIR [--src DIR]
"""
import argparse
import json
import shutil
import warnings
from pathlib import Path

import joblib
import numpy as np
import onnx
from onnx import numpy_helper
from sklearn.neural_network import MLPClassifier

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "models" / "wide_mlp"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--src", default=str(SRC))
    args = ap.parse_args()
    out = Path(args.out)
    src = Path(args.src)
    out.mkdir(parents=True, exist_ok=True)

    init = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(src / "model.onnx")).graph.initializer}
    n_layers = len([k for k in init if k.startswith("W")])
    Ws = [init[f"W{i}"].astype(np.float64) for i in range(n_layers)]
    bs = [init[f"b{i}"].astype(np.float64) for i in range(n_layers)]
    hidden = tuple(W.shape[1] for W in Ws[:-1])
    n_in, n_out = Ws[0].shape[0], Ws[-1].shape[1]

    # Fit one iteration on dummy data to create every fitted attribute, then
    # replace the weights.
    rng = np.random.default_rng(0)
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(rng.normal(size=(2 * n_out, n_in)), np.arange(2 * n_out) % n_out)
    clf.coefs_ = Ws
    clf.intercepts_ = bs
    clf._optimizer = None  # drop Adam's moment estimates (2 x the weights)

    golden = json.loads((src / "golden.json").read_text())
    got = clf.predict_proba(np.array(golden["inputs"]))
    err = float(np.abs(got - np.array(golden["expected"])).max())
    if err > 1e-5:
        raise SystemExit(f"wide_mlp sklearn copy does not match golden: max|d|={err:.3g}")

    joblib.dump(clf, out / "model.joblib")
    shutil.copy(src / "schema.json", out / "schema.json")
    shutil.copy(src / "golden.json", out / "golden.json")
    print(f"wide_mlp as MLPClassifier{hidden}: golden max|d|={err:.2e}, written to {out.name}/")


if __name__ == "__main__":
    main()
