"""Learned edit traces: a small convolutional network over the full-resolution image on its JPEG grid.

Hand-made statistics see a retyped value, a healed line or a pasted digit only when the edit is crude. The
network looks at the raw luma and chroma around every 8x8 block of the file's grid (about 60 pixels across)
and has learned, from generated forgeries with their boxes (`credlift forensics train`), what an edit leaves
behind there: capture noise missing from inpainted paper, glyphs rendered without the capture's blur,
resampled pixels, and blocks whose compression history differs from their neighbours'. It outputs one
probability per block; the signal reports the strongest area, a heat map and boxes. The trained network
ships as ONNX and runs on onnxruntime (no torch at run time).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import boxes_from_map, cells_to_map, load_model, unmapped_report

STRIDE = 8  # one output per 8x8 block of the JPEG grid
# the trained network in float32 (what training exports, and what the app runs unless told otherwise) and the same
# network quantized to 8-bit integers (training/forensics/trace_quantize.py; settings.trace_precision "int8"):
# about half the CPU, the first convolution kept in float32 (issue 30)
NETWORK_PATH = Path(__file__).resolve().parent.parent / "models" / "trace_net.onnx"
INT8_SUFFIX = ".int8.onnx"  # the quantized network beside its float one
INT8_PATH = NETWORK_PATH.with_suffix(INT8_SUFFIX)
MIN_SIDE = 64
# above TILE * TILE pixels the network runs on tiles of at most that many: the memory bound. onnxruntime's arena
# keeps what the largest tile needed (in powers of two) for the life of the worker: 1024 held about 200 MB more
# at peak than 768 on a 1600x1200 photo, for about the same time (four tiles of 632x832 rather than two of
# 1200x832, ten bench photos, p50: one thread 328 against 341 CPU-ms, two threads 230 against 221 ms wall;
# probabilities identical; issue 30). Below about 640 the overlaps start to cost (512: 387 CPU-ms).
TILE = 768
# The network's receptive field reaches RECEPTIVE_RADIUS px from a block's position (3x3 convolutions at strides
# 1, 2, 2, 4, 4, 8 and one dilated by 2 at stride 8: 1 + 1 + 2 + 2 + 4 + 4 + 16), so a tile overlapping its
# neighbours by the next multiple of 8 gives every block it keeps exactly what the whole image gives, bit for bit
# (tests/forensics/test_forensics_speed.py). 64 computed 20% more pixels than the page on a 1600x1200 photo, 32 9%.
RECEPTIVE_RADIUS = 30
TILE_OVERLAP = -(-RECEPTIVE_RADIUS // STRIDE) * STRIDE
# what scaled_planes does to each 8-bit value, as tables: luma (v - 128) / 64, chroma (v - 128) / 16, in float32
_PLANE_TABLES = [((np.arange(256, dtype=np.float32) - 128.0) / divisor).astype(np.float32)
                 for divisor in (64.0, 16.0, 16.0)]
# outputs this many blocks from the image's edge are dropped: the network was trained inside images only,
# and zero padding past the edge looks like nothing it has seen
EDGE_BLOCKS = 3


def scaled_planes(ycrcb: np.ndarray) -> np.ndarray:
    """YCrCb planes (..., 3, H, W) centred and scaled to roughly unit range, as float32: what the network reads,
    in training (patches) and at run time (whole images)."""
    out = ycrcb.astype(np.float32) - 128.0
    out[..., 0, :, :] /= 64.0
    out[..., 1:, :, :] /= 16.0
    return out


def network_input(rgb: np.ndarray) -> np.ndarray:
    """(3, H, W) float32 from an RGB image whose (0, 0) is the JPEG grid origin: luma and the two chroma
    planes (the layout the network was trained on)."""
    return np.ascontiguousarray(scaled_planes(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb).transpose(2, 0, 1)))


def configured_path() -> Path:
    """The network the settings ask for (`trace_precision`): what the check runs unless given a path."""
    from credlift.settings import get_settings

    return INT8_PATH if get_settings().trace_precision == "int8" else NETWORK_PATH


def _session_from(path: Path):
    import onnxruntime as ort

    from credlift import threads

    return ort.InferenceSession(str(path), sess_options=threads.onnx_session_options(),
                                providers=["CPUExecutionProvider"])


def tile_cuts(height: int, width: int) -> tuple[list[int], list[int]]:
    """Where the network's tiles meet, along the rows and along the columns (block-aligned, from 0 to the side): of
    the splits whose every tile, overlaps included, holds at most TILE * TILE pixels (the memory bound), the one
    that runs the fewest pixels through the network, then the fewest tiles. With TILE 768 a 1600x1200 photo runs
    as four tiles of 632x832 (2.10 MP), where TILE 1024 ran two of 1200x832 (2.00 MP)."""
    def cuts(length: int, parts: int) -> list[int]:
        return [round(length * k / parts / STRIDE) * STRIDE for k in range(parts + 1)]

    def spans(edges: list[int]) -> list[int]:  # each tile's extent along the axis, overlaps included
        length = edges[-1]
        return [min(length, b + TILE_OVERLAP) - max(0, a - TILE_OVERLAP) for a, b in zip(edges, edges[1:])]

    best: tuple[tuple[int, int], list[int], list[int]] | None = None
    for row_parts in range(1, height // (8 * STRIDE) + 2):
        rows = cuts(height, row_parts)
        row_spans = spans(rows)
        for column_parts in range(1, width // (8 * STRIDE) + 2):  # the fewest columns that fit: more only add overlap
            columns = cuts(width, column_parts)
            column_spans = spans(columns)
            if max(row_spans) * max(column_spans) <= TILE * TILE:
                cost = (sum(row_spans) * sum(column_spans), row_parts * column_parts)
                if best is None or cost < best[0]:
                    best = (cost, rows, columns)
                break
    if best is None:  # narrower than any split allows (not at the sizes intake accepts): squares of TILE
        step = TILE - 2 * TILE_OVERLAP
        return ([*range(0, height, step), height], [*range(0, width, step), width])
    return best[1], best[2]


def block_probabilities(session, rgb: np.ndarray, ycrcb: np.ndarray | None = None) -> np.ndarray:
    """(H // 8, W // 8) edit probabilities of an image on its JPEG grid; large images run in tiles. `ycrcb`: the
    image already converted (cv2 RGB->YCrCb, shared with other signals); the network reads the same planes."""
    height, width = (rgb.shape[0] // STRIDE) * STRIDE, (rgb.shape[1] // STRIDE) * STRIDE
    if ycrcb is None:
        planes = network_input(rgb[:height, :width])
    else:  # scaled_planes of the (3, H, W) planes, by table look-up (the same float32 values, a tenth of the time)
        planes = np.empty((3, height, width), np.float32)
        for channel, table in enumerate(_PLANE_TABLES):
            np.take(table, ycrcb[:height, :width, channel], out=planes[channel])
    name = session.get_inputs()[0].name
    out = np.zeros((height // STRIDE, width // STRIDE), np.float32)
    rows, columns = tile_cuts(height, width)
    for y0, y1 in zip(rows, rows[1:]):
        for x0, x1 in zip(columns, columns[1:]):
            ty0, tx0 = max(0, y0 - TILE_OVERLAP), max(0, x0 - TILE_OVERLAP)
            ty1, tx1 = min(height, y1 + TILE_OVERLAP), min(width, x1 + TILE_OVERLAP)
            logits = session.run(None, {name: planes[None, :, ty0:ty1, tx0:tx1]})[0][0, 0]
            oy, ox = (y0 - ty0) // STRIDE, (x0 - tx0) // STRIDE
            hy, hx = (y1 - y0) // STRIDE, (x1 - x0) // STRIDE
            out[y0 // STRIDE:y1 // STRIDE, x0 // STRIDE:x1 // STRIDE] = logits[oy:oy + hy, ox:ox + hx]
    probability = (1.0 / (1.0 + np.exp(-np.clip(out, -30, 30)))).astype(np.float32)
    edge = EDGE_BLOCKS if min(probability.shape) > 4 * EDGE_BLOCKS else 0
    if edge:
        probability[:edge], probability[-edge:], probability[:, :edge], probability[:, -edge:] = 0, 0, 0, 0
    return probability


def summarise(probability: np.ndarray) -> dict[str, float]:
    """The figures the fusion reads: the strongest 2x2-block area, the top blocks and the flagged area."""
    smoothed = cv2.blur(probability, (2, 2)) if min(probability.shape) >= 2 else probability
    flat = np.sort(probability.reshape(-1))
    return {"score": float(smoothed.max()), "max_prob": float(flat[-1]), "top_mean": float(flat[-8:].mean()),
            "area": int((probability > 0.5).sum()), "mean_prob": float(probability.mean()),
            "blocks": int(probability.size)}


class TraceNetSignal:
    name = "trace"
    role = SignalRole(features=("score", "max_prob", "top_mean", "area", "mean_prob"), localiser=True)

    def __init__(self, model_path: Path | None = None) -> None:
        self.model_path = model_path  # None: the settings' choice (configured_path), read at each use

    def _path(self) -> Path:
        return self.model_path or configured_path()

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self._path(), loader=_session_from)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        session = load_model(self._path(), loader=_session_from)
        grid, _ = ctx.grid_rgb
        if session is None or min(grid.shape[:2]) < MIN_SIDE:
            return unmapped_report(ctx, self.name, "The edit-trace network is not trained yet." if session is None
                                   else "The image is too small for the edit-trace network.",
                                   {"max_prob": 0.0, "top_mean": 0.0, "area": 0, "mean_prob": 0.0,
                                    "trained": session is not None, "mapped": False})
        probability = block_probabilities(session, grid, ctx.ycrcb_of(grid))
        figures = summarise(probability)
        heat = ctx.grid_map_to_analysed(cells_to_map(probability, STRIDE, grid.shape))
        ctx.record_heatmap(self.name, heat)
        score = figures.pop("score")
        boxes = boxes_from_map(heat, 0.5, min_area=4 * STRIDE * STRIDE) if score > 0.5 else []
        summary = ("Some areas carry traces of editing (noise, glyph rendering or compression unlike the page)."
                   if score > 0.5 else "No area carries the traces an edit leaves.")
        details = {key: round(value, 4) if isinstance(value, float) else value for key, value in figures.items()}
        return SignalReport(name=self.name, score=float(np.clip(score, 0, 1)), boxes=boxes, summary=summary,
                            details={**details, "trained": True, "mapped": True})
