"""Probe (issue 24, not a signal): does a paper-noise inconsistency map tell real edited receipts from their twins?

    .venv/bin/python scripts/probe_noise_inconsistency.py DIR   # DIR from scripts/build_real_devset.py

Per 16x16 block of paper (>= 90% of its pixels in the brightest 45% of luma): luma high-pass std, chroma
high-pass mean, lag-1 correlation of the residual, chroma/luma ratio; each block's robust z against the page
(median, MAD); the image's score is the share of blocks over z 6. Prints, per split, the share of quality-matched
pairs in which the edited image scores above its own untouched twin (0.5: chance).
"""
import json, sys, collections
import numpy as np, cv2
from pathlib import Path
root = Path(sys.argv[1])
rows = [json.loads(l) for l in (root / "labels.jsonl").read_text().splitlines() if l.strip()]
m = [r for r in rows if r["variant"] == "matched" or r["variant"].startswith("edited")]
def stem(f): return Path(f).name.split("__")[0]
B = 16
def score(path):
    bgr = cv2.imread(str(root / path)); ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb).astype(np.float32)
    out = {}
    y = ycc[..., 0]
    hp = y - cv2.GaussianBlur(y, (0, 0), 1.0)
    chp = np.abs(ycc[..., 1] - cv2.GaussianBlur(ycc[..., 1], (0, 0), 1.0)) + np.abs(ycc[..., 2] - cv2.GaussianBlur(ycc[..., 2], (0, 0), 1.0))
    paper = y >= np.percentile(y, 55)
    H, W = y.shape; hb, wb = H // B, W // B
    lum = np.full((hb, wb), np.nan); chro = np.full((hb, wb), np.nan); corr = np.full((hb, wb), np.nan)
    for i in range(hb):
        for j in range(wb):
            sl = (slice(i*B, (i+1)*B), slice(j*B, (j+1)*B))
            p = paper[sl]
            if p.mean() < 0.9: continue
            r = hp[sl]
            lum[i, j] = r.std(); chro[i, j] = chp[sl].mean()
            a, b = r[:, :-1].ravel(), r[:, 1:].ravel()
            corr[i, j] = np.corrcoef(a, b)[0, 1] if a.std() > 1e-3 and b.std() > 1e-3 else 0
    for name, mp in (("lum", lum), ("chroma", chro), ("corr", corr), ("ratio", chro / (lum + 0.5))):
        v = mp[np.isfinite(mp)]
        if v.size < 20: out[name] = 0; continue
        med = np.median(v); mad = np.median(np.abs(v - med)) + 1e-3
        z = np.abs(mp - med) / mad
        z[~np.isfinite(z)] = 0
        out[name] = float((z > 6).mean())
    return out
by = collections.defaultdict(dict)
for r in m:
    by[(r["split"], stem(r["file"]))]["e" if r["variant"].startswith("edited") else "u"] = r
res = collections.defaultdict(lambda: collections.defaultdict(list))
for (split, s), v in sorted(by.items()):
    if "e" not in v or "u" not in v: continue
    se, su = score(v["e"]["file"]), score(v["u"]["file"])
    for k in se:
        res[split][k].append(np.sign(se[k] - su[k]))
    print(split, s, v["e"]["variant"], {k: round(se[k] - su[k], 2) for k in se}, flush=True)
for split in res:
    print(split, {k: round(float(np.mean(np.array(d) > 0) + 0.5 * np.mean(np.array(d) == 0)), 2) for k, d in res[split].items()}, "pairs", len(next(iter(res[split].values()))))
