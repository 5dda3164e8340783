"""The tiny-CNN variant of scripts/probe_learned_tiles.py: the same real training pages, edits and capture chain,
a fully convolutional network on the page's luma instead of hand-made tile statistics.

Issue 24 probe, outside the product. The network (about 26k weights, torch, CPU) reads luma and its 3x3 high-pass
residual at the page's own resolution (halved when the text is over 40 px high), two 2x poolings, and gives an
edit logit per 4x4 px; a window's score is the mean logit over 48x48 px (stride 8). It is trained on 48x48 crops:
inside an edit (positive), elsewhere on the edited page, on the untouched twin at the edit's place and elsewhere
(negatives). A page's score is the mean of its two highest windows, as for the tile model; the same measures
(quality-matched real pairs dev/holdout, oracle box, untouched flag shares, generated pages) come from
`probe_learned_tiles.evaluate_real` / `evaluate_generated`.

    nice -n 19 .venv/bin/python scripts/probe_tile_cnn.py --real /work/cache/real/devset2 \
        --generated /work/cache/gen-9602 --work /work/cache/real3/cnn
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe_learned_tiles as tiles_probe  # noqa: E402

CROP = 48
STRIDE = 8  # window stride in input pixels (two 2x poolings, then a pooling of stride 2 on the logit map)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(2, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 1, 1))

    def forward(self, grey: torch.Tensor) -> torch.Tensor:
        """grey (n, 1, h, w) in 0..255 -> logit map (n, 1, h/4, w/4)."""
        x = grey / 255.0 - 0.5
        residual = (grey - nn.functional.avg_pool2d(nn.functional.pad(grey, (1, 1, 1, 1), mode="replicate"), 3, 1))
        return self.body(torch.cat([x, residual.clamp(-32, 32) / 8.0], dim=1))

    def window_logits(self, grey: torch.Tensor) -> torch.Tensor:
        return nn.functional.avg_pool2d(self.forward(grey), CROP // 4, STRIDE // 4)


def page_grey(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The page's luma at the network's scale, and that scale."""
    import cv2

    y = tiles_probe.luma(rgb)
    ink, _ = tiles_probe.ink_mask(y)
    scale = 0.5 if tiles_probe.text_height(ink) > 40 else 1.0
    if scale < 1:
        y = cv2.resize(y, (round(y.shape[1] * scale), round(y.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    return y.astype(np.float32), scale


class CnnModel:
    def __init__(self, net: Net):
        self.net = net.eval()

    def tile_map(self, rgb: np.ndarray):
        grey, scale = page_grey(rgb)
        if min(grey.shape) < CROP:
            grey = np.pad(grey, ((0, max(0, CROP - grey.shape[0])), (0, max(0, CROP - grey.shape[1]))), mode="edge")
        with torch.no_grad():
            logits = self.net.window_logits(torch.from_numpy(grey)[None, None])[0, 0].numpy()
        p = 1 / (1 + np.exp(-logits))
        ys, xs = np.meshgrid(np.arange(p.shape[0]) * STRIDE / scale, np.arange(p.shape[1]) * STRIDE / scale,
                             indexing="ij")
        return p, np.stack([ys, xs], -1), (CROP / scale, CROP / scale)


def crops(mirror_root: Path, work: Path, edits_per_page: int, seed: int = 9610):
    cache = work / "cnn_crops.npz"
    if cache.exists():
        d = np.load(cache)
        return d["x"], d["y"], d["g"]
    pages = tiles_probe.training_pages(mirror_root)
    xs, ys, gs = [], [], []
    groups = {}
    for pi, (repo, _, rgb) in enumerate(pages):
        rng = np.random.default_rng([seed, pi])
        g = groups.setdefault(repo, len(groups))
        for _ in range(edits_per_page):
            made = tiles_probe.edit_and_chain(rgb, rng)
            if made is None:
                continue
            edited, box, kind, (dy, dx, scale, quality) = made
            ge, se = page_grey(tiles_probe.capture(edited, dy, dx, scale, quality))
            gt, _ = page_grey(tiles_probe.capture(rgb, dy, dx, scale, quality))
            if ge.shape != gt.shape or min(ge.shape) <= CROP + 2:
                continue
            k = scale * se
            bx, by, bw, bh = (box[0] - dx) * k, (box[1] - dy) * k, box[2] * k, box[3] * k
            H, W = ge.shape

            def cut(img, cy, cx):
                y0 = int(np.clip(cy - CROP // 2, 0, H - CROP))
                x0 = int(np.clip(cx - CROP // 2, 0, W - CROP))
                return img[y0:y0 + CROP, x0:x0 + CROP], (y0, x0)

            for _ in range(4):
                cy, cx = by + rng.uniform(0.3, 0.7) * bh, bx + rng.uniform(0.15, 0.85) * bw
                patch, (y0, x0) = cut(ge, cy, cx)
                xs += [patch, cut(gt, cy, cx)[0]]
                ys += [1, 0]
                gs += [g, g]
            placed = 0
            for _ in range(40):
                cy, cx = rng.uniform(0, H), rng.uniform(0, W)
                if bx - CROP < cx < bx + bw + CROP and by - CROP < cy < by + bh + CROP:
                    continue
                xs += [cut(ge, cy, cx)[0], cut(gt, *rng.uniform(0, (H, W)))[0]]
                ys += [0, 0]
                gs += [g, g]
                placed += 1
                if placed >= 5:
                    break
    x, y, g = np.stack(xs).astype(np.uint8), np.array(ys, np.float32), np.array(gs)
    np.savez_compressed(cache, x=x, y=y, g=g)
    return x, y, g


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int = 0) -> Net:
    torch.manual_seed(seed)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    xt = torch.from_numpy(x.astype(np.float32))[:, None]
    yt = torch.from_numpy(y)
    weight = torch.tensor(float((y == 0).sum() / max(1, (y == 1).sum())))
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(yt))
        total = 0.0
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            batch = xt[idx]
            if torch.rand(()) < 0.5:
                batch = batch.flip(-1)
            logit = net(batch).mean(dim=(1, 2, 3))
            loss = nn.functional.binary_cross_entropy_with_logits(logit, yt[idx], pos_weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        print(f"  epoch {epoch + 1}: loss {total / len(yt):.4f}", file=sys.stderr)
    return net.eval()


def crop_auc(net: Net, x: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        s = net(torch.from_numpy(x.astype(np.float32))[:, None]).mean(dim=(1, 2, 3)).numpy()
    return tiles_probe.auc(s[y == 1], s[y == 0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--work", type=Path, default=Path("/work/cache/real3/cnn"))
    parser.add_argument("--edits-per-page", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--real", type=Path)
    parser.add_argument("--generated", type=Path)
    parser.add_argument("--gen-limit", type=int, default=60)
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    x, y, g = crops(args.mirror_root, args.work, args.edits_per_page)
    print(f"crops: {len(y)} ({int(y.sum())} edited), {time.time() - t0:.0f} s", file=sys.stderr)
    report = {"crops": int(len(y)), "edited_crops": int(y.sum())}
    if not args.no_cv:  # leave the largest source out: crop AUC there
        big = np.bincount(g).argmax()
        net = train(x[g != big], y[g != big], args.epochs)
        report["held_out_source_crop_auc"] = crop_auc(net, x[g == big], y[g == big])
        print(f"held-out source crop AUC {report['held_out_source_crop_auc']:.3f}", file=sys.stderr)
    net = train(x, y, args.epochs)
    torch.save(net.state_dict(), args.work / "net.pt")
    model = CnnModel(net)
    if args.real:
        report["real"] = tiles_probe.evaluate_real(model, args.real, args.work)
        print(json.dumps(report["real"], indent=1))
    if args.generated:
        report["generated"] = tiles_probe.evaluate_generated(model, args.generated, args.work, args.gen_limit)
        print(json.dumps(report["generated"], indent=1))
    (args.work / "report.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
