#!/usr/bin/python3
"""Reference optimum of L2-penalized logistic regression, by torch.optim.LBFGS.

Run with Debian's Python (torch 1.13): /usr/bin/python3 test/golden/generate_logistic.py
Writes logistic.json: a fixed non-separable dataset, the penalty, and the minimizer of
mean BCE-with-logits + l2 * sum(w^2) (bias not penalized) found by L-BFGS with a
strong-Wolfe line search in float64 and polished by Newton steps, with its gradient
norm to show it converged.
"""

import os

import numpy as np
import torch

from fixture_json import dump

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def main():
    rng = np.random.default_rng(3)
    n, d, l2 = 200, 3, 0.01
    X = rng.standard_normal((n, d))
    true_w, true_b = np.array([1.5, -2.0, 0.5]), 0.3
    p = 1 / (1 + np.exp(-(X @ true_w + true_b)))
    y = (rng.random(n) < p).astype(np.float64)  # Bernoulli labels: not separable

    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=1000, tolerance_grad=1e-14, tolerance_change=1e-16,
                            history_size=50, line_search_fn="strong_wolfe")
    bce = torch.nn.BCEWithLogitsLoss()

    def closure():
        opt.zero_grad()
        loss = bce(Xt @ w + b, yt) + l2 * (w * w).sum()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    # L-BFGS stalls near |grad| 1e-9 (its change tolerances act on the loss, which stops
    # moving in float64 first); polish with exact Newton steps, which converge
    # quadratically from there, so the fixture is accurate to float64 rounding.
    A = torch.cat([Xt, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    penalty = torch.tensor([2 * l2] * d + [0.0], dtype=torch.float64)
    for _ in range(3):
        closure()
        with torch.no_grad():
            g = torch.cat([w.grad, b.grad])
            p = torch.sigmoid(A @ torch.cat([w, b]))
            H = A.T @ (A * (p * (1 - p))[:, None]) / n + torch.diag(penalty)
            step = torch.linalg.solve(H, g)
            w -= step[:d]
            b -= step[d:]
    loss = closure()
    grad_norm = float(torch.cat([w.grad, b.grad]).norm())
    assert grad_norm < 1e-14, grad_norm

    doc = {
        "generator": "test/golden/generate_logistic.py",
        "torch": torch.__version__,
        "l2": l2,
        "X": [list(map(float, row)) for row in X],
        "y": list(map(float, y)),
        "weights": list(map(float, w.detach())),
        "bias": float(b.detach()[0]),
        "loss": float(loss.detach()),
        "gradNorm": grad_norm,
    }
    path = os.path.join(HERE, "logistic.json")
    with open(path, "w") as f:
        f.write(dump(doc) + "\n")
    print(f"wrote {os.path.relpath(path)}: loss {doc['loss']}, |grad| {grad_norm:.2e}")


if __name__ == "__main__":
    main()
