#!/usr/bin/env bash
# End-to-end timing of `trustfill fill` on the real questionnaires in ../shared/questionnaires
# (beside the clone; their licences keep them out of the repository). Release build, hyperfine,
# shipped knowledge base with its index already built. Prints the median per file.
#   bash benches/real-questionnaires.sh
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/questionnaires
[ -d "$shared" ] || { echo "needs $shared" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/trustfill
kb=$PWD/knowledge-base
"$bin" -q --kb "$kb" kb index
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$shared"/*.xlsx; do
  name=$(basename "$f")
  cp "$f" "$work/$name"
  hyperfine -N --warmup 2 --runs 10 --export-json "$work/t.json" \
    "$bin -q --kb $kb fill $work/$name --force" >/dev/null 2>&1
  python3 -c "import json,sys; r=json.load(open('$work/t.json'))['results'][0]; print(f\"{sys.argv[1]:<60} median {r['median']*1000:7.1f} ms\")" "$name"
done
