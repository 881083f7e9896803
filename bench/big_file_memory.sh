#!/usr/bin/env bash
# Peak memory of `newsflow run` on the seeds, with and without a 20 MB JSONL file beside them.
# Builds into bench/corpus/ and bench/results/ (both ignored). Usage: bench/big_file_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=bench/corpus/big-file; results=bench/results/big-file
rm -rf "$corpus" "$results"; mkdir -p "$corpus/plain" "$results"
cp seeds/* "$corpus/plain/"
cp -r "$corpus/plain" "$corpus/with-20mb"
python3 -c "
import sys
line = b'{\"text\": \"Putin met Tokayev in Moscow on Monday, officials said.\"}\n'
with open(sys.argv[1], 'wb') as f:
    f.write(line * (20 * 1024 * 1024 // len(line) + 1))" "$corpus/with-20mb/dump.jsonl"
for source in plain with-20mb; do
  /usr/bin/time -v .venv/bin/newsflow run --source "$corpus/$source" --warehouse "$results/$source" --workers 1 \
    > "$results/$source.out" 2> "$results/$source.time"
  echo "$source: $(grep 'Maximum resident' "$results/$source.time")"
  grep -E "quarantined at|files seen|articles loaded" "$results/$source.out" || true
done
