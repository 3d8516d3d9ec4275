"""Peer for `Loom.Bench eval`: the Loom Fashion-MNIST reference CNN rebuilt in PyTorch from the same
safetensors weights, features of the 10,000 test images, and FID with scipy.linalg.sqrtm (the pytorch-fid formula).
Usage: fid_torch.py WEIGHTS FMNIST_FOLDER TRAIN_SUBSET_INDICES REPEATS. Prints one JSON line."""
import gzip, json, os, struct, sys, time

import numpy as np
import scipy
import scipy.linalg
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "I64": np.int64}


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + start:8 + n + end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def features(self, x):
        x = (x - 0.2860) / 0.3530
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        return F.relu(self.fc1(x.flatten(1)))


def images(folder, prefix):
    for name in (f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-images-idx3-ubyte"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
            return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    raise SystemExit(f"no {prefix} images in {folder}")


def extract(net, x):
    with torch.no_grad():
        return torch.cat([net.features(x[i:i + 500]) for i in range(0, len(x), 500)]).double().numpy()


def fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1 @ s2, disp=False)
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def main():
    weights, folder, indices_path, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(os.cpu_count())
    net = Net()
    state = load_safetensors(weights)
    net.load_state_dict(state)
    net.eval()
    test = images(folder, "t10k")
    extract_times, fid_times = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        test_features = extract(net, test)
        extract_times.append(time.perf_counter() - t)
    train = images(folder, "train")[load_safetensors(indices_path)["indices"]]
    train_features = extract(net, train)
    for _ in range(repeats):
        t = time.perf_counter()
        value = fid(test_features, train_features)
        fid_times.append(time.perf_counter() - t)
    print(json.dumps({
        "extract_s": sorted(extract_times)[len(extract_times) // 2],
        "fid_s": sorted(fid_times)[len(fid_times) // 2],
        "fid_train_test": value,
        "versions": f"torch {torch.__version__}, scipy {scipy.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}",
    }))


if __name__ == "__main__":
    main()
