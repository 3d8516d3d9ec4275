"""scikit-learn peer for `Loom.Bench rbm`: trains BernoulliRBM (PCD-1, plain SGD) on the same binarized rows with the
same hidden units, learning rate, batch size and epochs; prints one JSON line with seconds per epoch and the mean
pseudo-likelihood (score_samples) of the test rows, and writes the fitted weights as CSV for Loom's AIS to score."""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.neural_network import BernoulliRBM

train_path, test_path, hidden, lr, batch, epochs, seed, out_dir = sys.argv[1:9]
x = np.loadtxt(train_path, delimiter=",")
t = np.loadtxt(test_path, delimiter=",")
rbm = BernoulliRBM(n_components=int(hidden), learning_rate=float(lr), batch_size=int(batch), n_iter=int(epochs),
                   random_state=int(seed))
start = time.perf_counter()
rbm.fit(x)
seconds = time.perf_counter() - start
np.savetxt(f"{out_dir}/weight.csv", rbm.components_.T, delimiter=",")
np.savetxt(f"{out_dir}/visible_bias.csv", rbm.intercept_visible_[None], delimiter=",")
np.savetxt(f"{out_dir}/hidden_bias.csv", rbm.intercept_hidden_[None], delimiter=",")
print(json.dumps({
    "version": sklearn.__version__,
    "seconds_per_epoch": seconds / int(epochs),
    "test_pseudo_log_likelihood": float(rbm.score_samples(t).mean()),
    "train_pseudo_log_likelihood": float(rbm.score_samples(x).mean()),
}))
