#!/usr/bin/python3
"""Loss curve (python3-matplotlib): training loss (per step and 20-step mean) and the
held-out validation loss logged during training -> runtime/models/splice-tiny/loss.png.

    /usr/bin/python3 tools/splice_tiny/plot_loss.py [--log work/train/log.jsonl]
"""

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from common import MODEL_DIR, WORK  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", type=Path, default=WORK / "train" / "log.jsonl")
    ap.add_argument("--out", type=Path, default=MODEL_DIR / "loss.png")
    args = ap.parse_args()
    recs = [json.loads(l) for l in open(args.log) if l.strip()]
    tok = [r["tokens"] / 1e6 for r in recs]
    loss = [r["loss"] for r in recs]
    mean = [sum(loss[max(0, i - 19) : i + 1]) / len(loss[max(0, i - 19) : i + 1]) for i in range(len(loss))]
    ev = [(r["tokens"] / 1e6, r["heldout_loss"]) for r in recs if "heldout_loss" in r]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot(tok, loss, color="#9ecae1", linewidth=0.6, label="train loss (per step, FIM + marks)")
    ax.plot(tok, mean, color="#08519c", linewidth=1.5, label="train loss (20-step mean)")
    if ev:
        ax.plot([e[0] for e in ev], [e[1] for e in ev], "o-", color="#d94801", markersize=3, label="held-out loss (24 x 512 plain-text rows)")
    ax.set_xlabel("training tokens (millions)")
    ax.set_ylabel("cross-entropy (nats / token)")
    ax.set_ylim(bottom=max(0.0, min(loss + [e[1] for e in ev]) - 0.3), top=min(9.5, max(loss[:3] + [6.0])))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"splice-tiny: {recs[-1]['step']} steps, {recs[-1]['tokens'] / 1e6:.2f}M tokens, {recs[-1]['wall_s'] / 60:.0f} min on 2 CPU threads")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, metadata={"Software": None, "CreationDate": None} if args.out.suffix == ".pdf" else {"Software": None})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
