"""scikit-learn peer for `Loom.Bench gmm`: fits GaussianMixture (full) from the given means init, uniform weights
and identity precisions for a fixed number of iterations; prints one JSON line with fit times and the result."""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

x_path, means_path, iters, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.loadtxt(x_path, delimiter=",")
means = np.loadtxt(means_path, delimiter=",", ndmin=2)
k, d = means.shape
warnings.simplefilter("ignore", ConvergenceWarning)


def fit():
    gm = GaussianMixture(n_components=k, covariance_type="full", tol=0.0, max_iter=iters, reg_covar=1e-6,
                         means_init=means, weights_init=np.full(k, 1.0 / k),
                         precisions_init=np.repeat(np.eye(d)[None], k, axis=0))
    return gm.fit(x)


fit()  # warm-up
times = []
for _ in range(repeats):
    start = time.perf_counter()
    gm = fit()
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "mean_log_likelihood": float(gm.score(x)), "n_iter": int(gm.n_iter_),
                  "sklearn": sklearn.__version__}))
