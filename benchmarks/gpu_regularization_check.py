"""On a GPU: dropout, L1, a σ per layer and sample_weight train to NumPy's weights (float64, 3 epochs).

python benchmarks/gpu_regularization_check.py     # on a machine with a CUDA GPU and CuPy
"""

import numpy as np

import bprop as bp
from bprop.core.backend import to_numpy

rng = np.random.default_rng(0)
X = rng.normal(size=(500, 20))
y = rng.integers(0, 4, 500)
w = rng.integers(1, 4, 500).astype(float)
worst = 0.0
for backend in ("torch", "cupy"):
    for opt in ("sgd", "adam"):
        nets = {}
        for dev in ("cpu", "cuda"):
            net = bp.Network(
                [20, 16, 12, 4],
                activation=["relu", "tanh"],
                output="softmax",
                cost="log_likelihood",
                seed=0,
                dtype="float64",
            )
            if dev == "cuda":
                net = net.to("cuda", backend)
            o = bp.SGD(lr=0.1) if opt == "sgd" else bp.Adam(lr=0.01)
            h = bp.train(
                net,
                X,
                y,
                epochs=3,
                batch_size=32,
                optimizer=o,
                dropout=0.2,
                l1=1e-3,
                l2=1e-3,
                sample_weight=w,
                validation=(X[:100], y[:100]),
                seed=0,
            )
            nets[dev] = (net, h)
        diff = max(
            float(np.max(np.abs(to_numpy(a) - to_numpy(b))))
            for a, b in zip(
                nets["cuda"][0].weights + nets["cuda"][0].biases, nets["cpu"][0].weights + nets["cpu"][0].biases
            )
        )
        hdiff = max(abs(a - b) for a, b in zip(nets["cuda"][1].train_cost, nets["cpu"][1].train_cost))
        print(f"{backend} {opt}: max |Δw| GPU vs NumPy {diff:.2e}, history Δ {hdiff:.2e}", flush=True)
        worst = max(worst, diff, hdiff)
print("REGCHECK", "ok" if worst < 1e-10 else "FAIL", f"{worst:.2e}")
