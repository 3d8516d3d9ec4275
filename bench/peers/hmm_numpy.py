#!/usr/bin/python3
"""Peer for `loom-bench hmm`: Baum-Welch for a Gaussian (diagonal covariance) HMM in vectorized NumPy.

scikit-learn has no HMM and Debian packages no hmmlearn, so this is the reference: a scaled (probability-space)
forward-backward batched over equal-length sequences, time loop in Python, with the same M-step formulas as Loom
(raw-moment variances + min_covar). It starts from the initial parameters Loom writes, runs a fixed number of
iterations and prints one JSON line: final log-likelihood (after the last M-step), the history, and fit times.

usage: hmm_numpy.py DATA.csv INIT.json ITERATIONS REPEATS
DATA.csv: numeric rows, a blank line between sequences (Loom's HmmData format). INIT.json: startprob, transmat,
means, covars (variances), min_covar.
"""
import json
import math
import sys
import time

import numpy as np


def read_sequences(path):
    sequences, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                if rows:
                    sequences.append(np.array(rows, dtype=np.float64))
                    rows = []
                continue
            rows.append([float(v) for v in line.split(",")])
    if rows:
        sequences.append(np.array(rows, dtype=np.float64))
    lengths = {len(s) for s in sequences}
    if len(lengths) != 1:
        raise SystemExit("hmm_numpy.py: sequences must have equal lengths")
    return np.stack(sequences, axis=1)  # [T, N, D], time-major like Loom


def log_emissions(x, means, covars):
    d = x.shape[-1]
    norm = -0.5 * (d * math.log(2 * math.pi) + np.log(covars).sum(1))            # [K]
    diff = x[:, :, None, :] - means                                              # [T, N, K, D]
    return norm - 0.5 * (diff * diff / covars).sum(-1)                          # [T, N, K]


def forward_backward(x, start, trans, means, covars):
    log_b = log_emissions(x, means, covars)
    shift = log_b.max(-1, keepdims=True)
    b = np.exp(log_b - shift)                                                    # [T, N, K]
    steps, n, k = b.shape
    alpha = np.empty_like(b)
    scale = np.empty((steps, n))
    a = start * b[0]
    scale[0] = a.sum(1)
    alpha[0] = a / scale[0][:, None]
    for t in range(1, steps):
        a = (alpha[t - 1] @ trans) * b[t]
        scale[t] = a.sum(1)
        alpha[t] = a / scale[t][:, None]
    beta = np.empty_like(b)
    beta[-1] = 1.0
    trans_t = trans.T
    for t in range(steps - 2, -1, -1):
        beta[t] = ((b[t + 1] * beta[t + 1]) @ trans_t) / scale[t + 1][:, None]
    loglik = np.log(scale).sum() + shift.sum()
    return loglik, alpha, beta, b, scale


def em_step(x, start, trans, means, covars, min_covar):
    loglik, alpha, beta, b, scale = forward_backward(x, start, trans, means, covars)
    gamma = alpha * beta                                                         # [T, N, K]
    right = b[1:] * beta[1:] / scale[1:, :, None]
    xi = trans * np.einsum("tni,tnj->ij", alpha[:-1], right)
    start_counts = gamma[0].sum(0)
    new_start = start_counts / start_counts.sum()
    new_trans = xi / xi.sum(1, keepdims=True)
    g = gamma.reshape(-1, gamma.shape[-1])
    flat = x.reshape(-1, x.shape[-1])
    nk = g.sum(0)[:, None]
    s1 = g.T @ flat
    s2 = g.T @ (flat * flat)
    new_means = s1 / nk
    new_covars = s2 / nk - new_means ** 2 + min_covar
    return loglik, new_start, new_trans, new_means, new_covars


def fit(x, init, iterations):
    start = np.array(init["startprob"])
    trans = np.array(init["transmat"])
    means = np.array(init["means"])
    covars = np.array(init["covars"])
    history = []
    for _ in range(iterations):
        ll, start, trans, means, covars = em_step(x, start, trans, means, covars, init["min_covar"])
        history.append(ll)
    final = forward_backward(x, start, trans, means, covars)[0]
    return final, history


def main():
    data, init_path, iterations, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    x = read_sequences(data)
    with open(init_path, encoding="utf-8") as f:
        init = json.load(f)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        final, history = fit(x, init, iterations)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"final_loglik": final, "history": history, "times": times, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
