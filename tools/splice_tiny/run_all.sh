#!/usr/bin/env bash
# splice-tiny end to end: corpus -> tokenizer -> ToolGen marks -> FIM tasks -> training -> ONNX export
# and check -> loss curve -> evaluation (PyTorch + Node cross-check) -> MODEL.md.
# About 80 minutes on 2 CPU cores (training about 55 of them). STEPS=N overrides the step count.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
T=tools/splice_tiny
start=$(date +%s)
stamp() { echo "== $1 ($(( $(date +%s) - start )) s)"; }
if [ ! -d $T/.node/node_modules/typescript ]; then
  npm install --prefix $T/.node typescript@5.9.3
fi
stamp corpus;    $PY $T/corpus.py
stamp tokenizer; $PY $T/bpe.py
stamp marks;     $PY $T/marks.py --budget-py 300 --budget-ts 200
stamp tasks;     $PY $T/make_fim_tasks.py
stamp train;     $PY $T/train.py --steps "${STEPS:-640}"
stamp export;    $PY $T/export.py
stamp plot;      $PY $T/plot_loss.py
stamp eval;      $PY $T/evaluate.py --node
stamp card;      $PY $T/model_card.py
stamp done
