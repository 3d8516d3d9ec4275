"""SDMetrics' quality report (column shapes, column pair trends, overall) of a synthetic CSV against a real one,
computed with scipy/pandas from the formulas (docs/tabular.md), for the `tabular` bench.
usage: table_quality.py REAL.csv SYNTHETIC.csv METADATA.json  -> one JSON line {overall, column_shapes, column_pair_trends}"""
import itertools
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import __version__ as scipy_version, stats

NUMBER, LABEL = {"numerical", "numeric", "integer", "datetime"}, {"categorical", "ordinal", "boolean"}


def as_numbers(series, sdtype):
    return pd.to_datetime(series).astype("int64") / 1e9 if sdtype == "datetime" else pd.to_numeric(series)


def frequencies(keys):
    return keys.value_counts(normalize=True, dropna=False)


def tv_complement(p, q):
    p, q = p.align(q, fill_value=0)
    return 1 - 0.5 * float(np.abs(p - q).sum())


def main(real_path, synth_path, metadata_path):
    started = time.perf_counter()
    columns = json.load(open(metadata_path))["columns"]
    real, synth = pd.read_csv(real_path, keep_default_na=True), pd.read_csv(synth_path, keep_default_na=True)
    kinds = {c: m["sdtype"] for c, m in columns.items() if m["sdtype"] != "id"}
    shapes, trends = [], []
    for c, kind in kinds.items():
        if kind in NUMBER:
            r, s = as_numbers(real[c], kind).dropna(), as_numbers(synth[c], kind).dropna()
            shapes.append(1 - stats.ks_2samp(r, s).statistic)
        else:
            shapes.append(tv_complement(frequencies(real[c].dropna().astype(str)), frequencies(synth[c].dropna().astype(str))))

    def keys(frame, c):
        if kinds[c] in LABEL:
            return frame[c].astype(str).where(frame[c].notna(), "NA")
        edges = np.histogram_bin_edges(as_numbers(real[c], kinds[c]).dropna(), bins=10)
        edges[0], edges[-1] = -np.inf, np.inf  # as sdmetrics.utils.discretize_column
        values = as_numbers(frame[c], kinds[c])
        return pd.Series(np.digitize(values, edges), index=frame.index).astype(str).where(values.notna(), "NA")

    for a, b in itertools.combinations(kinds, 2):
        if kinds[a] in NUMBER and kinds[b] in NUMBER:
            rho = [frame[[a, b]].apply(lambda s: as_numbers(s, kinds[s.name])).dropna().corr().iloc[0, 1] for frame in (real, synth)]
            trends.append(1 - abs(rho[0] - rho[1]) / 2)
        else:
            joint = [frequencies(keys(frame, a) + "|" + keys(frame, b)) for frame in (real, synth)]
            trends.append(tv_complement(*joint))
    shape, trend = float(np.nanmean(shapes)), float(np.nanmean(trends))
    print(json.dumps({"overall": (shape + trend) / 2, "column_shapes": shape, "column_pair_trends": trend,
                      "seconds": time.perf_counter() - started, "versions": f"scipy {scipy_version}, "
                      f"pandas {pd.__version__}"}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
