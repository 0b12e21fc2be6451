#!/usr/bin/env bash
# Installs vigil into a temporary prefix and builds samples/embed against the
# installed package in a separate CMake project, as an embedder would.
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DVIGIL_BUILD_TESTS=OFF > "$work/log" 2>&1
cmake --build "$work/build" -j"$(nproc)" >> "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake --install "$work/build" --prefix "$work/prefix" >> "$work/log" 2>&1
test -f "$work/prefix/include/vigil/vigil.hpp"
test -f "$work/prefix/lib/cmake/vigil/vigilConfig.cmake"
test -x "$work/prefix/bin/vigil"
# The public headers use no Spirit, Boost.Graph or SQLite types.
! grep -rlE "boost/|SQLiteCpp|sqlite3\.h|spirit" "$work/prefix/include/vigil"
cmake -S "$source_dir/samples/embed" -B "$work/embed" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake --build "$work/embed" >> "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
set +e
"$work/embed/onboarding_check" > "$work/out"
status=$?
set -e
cat "$work/out"
test $status -eq 1
grep -qx "high ONB-001: Contoso Cloud would access restricted data without a SOC 2 report" "$work/out"
grep -qx "medium ONB-002: Contoso Cloud is critical but has no exit plan" "$work/out"
grep -qx "2 findings" "$work/out"
# The C ABI: the header and the shared library, used by a C99 program built against the install.
test -f "$work/prefix/include/vigil/vigil.h"
test -f "$work/prefix/lib/libvigil.so"
cc -std=c99 -Wall -Wextra -pedantic "$source_dir/tests/c_api_test.c" -I"$work/prefix/include" -L"$work/prefix/lib" -lvigil \
  -o "$work/c_api_test"
LD_LIBRARY_PATH="$work/prefix/lib" "$work/c_api_test"
# The Python package, importable from the install.
PYTHONPATH="$work/prefix/lib/python3/dist-packages" python3 -c '
import vigil
engine = vigil.Engine()
engine.add_rules("rule A {\n  severity low\n  for vendor v\n  when true\n  message \"{v.id}\"\n}\n")
engine.load_facts({"entities": [{"id": "V1", "kind": "vendor"}]})
assert [f["message"] for f in engine.evaluate()] == ["V1"], engine.evaluate()
print("python package", vigil.__version__, "ok")'
echo "installed package and embedding example: ok"
