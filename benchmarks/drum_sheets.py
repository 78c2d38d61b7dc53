"""Spectrogram sheets of recordings, for labelling drum presence by eye (benchmarks/music_labels.yaml, drums).

Nobody here can listen, so the drum labels of the recordings were set by looking at these sheets: a drum part
shows as repeated broadband vertical strokes (snares, hats, cymbals up to 11 kHz; kicks as short low bursts),
repeated on a grid; sustained instruments show as horizontal partials. Each panel is one excerpt (8 s, mono,
22.05 kHz): its spectrogram (0-11 kHz, 80 dB) and under it the high band's (> 4 kHz) spectral flux. Panels carry
an index only, so that a title ("battle", "menu") does not sway the label; `--key` prints index -> excerpt.

Run: python benchmarks/drum_sheets.py OUT_DIR [--per-sheet 6] [--dpi 75] [--only I ...] [--key]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recorded_drums import SECONDS, excerpts


def panel(ax_spec, ax_flux, path: str, at: float) -> None:
    from ears_data import excerpt

    y = excerpt(Path(path), at, SECONDS).mono()
    y = y[::2]  # 22.05 kHz
    n_fft, hop = 1024, 256
    win = np.hanning(n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop] * win
    s = np.abs(np.fft.rfft(frames, axis=1)).T
    db = 20 * np.log10(s + 1e-9)
    db = np.clip(db, db.max() - 80, None)
    ax_spec.imshow(db, origin="lower", aspect="auto", cmap="magma", extent=(0, SECONDS, 0, 11.025))
    ax_spec.set_yticks([0, 4, 8])
    ax_spec.set_xticks([])
    hi = np.log(s[int(4000 / 22050 * n_fft) :] + 1e-6)
    flux = np.maximum(np.diff(hi, axis=1), 0).mean(axis=0)
    ax_flux.plot(np.arange(len(flux)) * hop / 22050, flux, lw=0.6, color="k")
    ax_flux.set_xlim(0, SECONDS)
    ax_flux.set_yticks([])
    ax_flux.set_xticks(range(9))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-sheet", type=int, default=6)
    ap.add_argument("--key", action="store_true", help="print index -> excerpt id instead of drawing")
    ap.add_argument("--only", type=int, nargs="*", help="draw these indices only (to look again)")
    ap.add_argument("--dpi", type=int, default=75)
    args = ap.parse_args()
    ex = excerpts()
    index = list(range(len(ex))) if not args.only else args.only
    if args.key:
        for i, (eid, _, _) in enumerate(ex):
            print(i, eid)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args.out.mkdir(parents=True, exist_ok=True)
    per = args.per_sheet
    for s0 in range(0, len(index), per):
        part = [(i, *ex[i]) for i in index[s0 : s0 + per]]
        rows = (len(part) + 1) // 2
        fig = plt.figure(figsize=(14, 3.0 * rows))
        gs = fig.add_gridspec(rows * 2, 2, height_ratios=[4, 1] * rows, hspace=0.35, wspace=0.08)
        for j, (i, _eid, path, at) in enumerate(part):
            r, c = divmod(j, 2)
            a1 = fig.add_subplot(gs[2 * r, c])
            a2 = fig.add_subplot(gs[2 * r + 1, c])
            panel(a1, a2, path, at)
            a1.set_title(f"#{i}", fontsize=11, loc="left")
        fig.savefig(args.out / f"sheet{s0 // per:02d}.png", dpi=args.dpi, bbox_inches="tight")
        plt.close(fig)
        print(f"sheet {s0 // per} done", flush=True)


if __name__ == "__main__":
    main()
