#!/usr/bin/env bash
# The stages depend one way: dsl -> facts -> eval -> store -> output -> cli.
# A file may include its own stage and earlier ones, never a later one.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
stages=(dsl engine/facts engine/eval engine/store engine/output)
failed=0
for i in "${!stages[@]}"; do
  for later in "${stages[@]:$((i + 1))}"; do
    if grep -rn --include='*.cpp' --include='*.hpp' "#include \"$later/" "${stages[$i]}"; then
      echo "layering: ${stages[$i]} must not include $later (dependencies run dsl -> facts -> eval -> store -> output -> cli)" >&2
      failed=1
    fi
  done
  if grep -rn --include='*.cpp' --include='*.hpp' '#include "cli/' "${stages[$i]}"; then
    echo "layering: ${stages[$i]} must not include cli/" >&2
    failed=1
  fi
done
if grep -rn --include='*.cpp' --include='*.hpp' '#include "engine/' dsl; then
  echo "layering: dsl must not include engine/" >&2
  failed=1
fi
exit "$failed"
