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
# The command line's documents and pkg-config file (for the C ABI), and the one version number.
test -f "$work/prefix/share/man/man1/vigil.1"
test -f "$work/prefix/share/bash-completion/completions/vigil"
test -f "$work/prefix/share/zsh/vendor-completions/_vigil"
test -f "$work/prefix/share/doc/vigil/LICENSE"
version=$(sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
test "$("$work/prefix/bin/vigil" --version)" = "vigil $version"
# The documents that carry the version say the same (the OpenAPI description, the changelog's latest entry).
grep -qx "  version: $version" "$source_dir/docs/openapi.yaml"
test "$(grep -m1 -o '^## \[[0-9.]*\]' "$source_dir/CHANGELOG.md")" = "## [$version]"
grep -qx "#define VIGIL_VERSION_STRING \"$version\"" "$work/prefix/include/vigil/version.hpp"
test "$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --modversion vigil)" = "$version"
cc -std=c99 "$source_dir/tests/c_api_test.c" $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs vigil) \
  -o "$work/c_api_test_pkgconfig"
LD_LIBRARY_PATH="$work/prefix/lib" "$work/c_api_test_pkgconfig" > /dev/null
# The .deb: what it holds, and the program run from a scratch root it is unpacked into.
(cd "$work/build" && cpack -G DEB > "$work/log" 2>&1) || { cat "$work/log"; exit 1; }
deb=$(ls "$work/build"/vigil_"$version"_*.deb)
dpkg-deb -c "$deb" > "$work/contents"
for path in ./usr/bin/vigil ./usr/lib/libvigil.so ./usr/include/vigil/vigil.h ./usr/include/vigil/version.hpp \
            ./usr/share/man/man1/vigil.1 ./usr/share/bash-completion/completions/vigil \
            ./usr/share/zsh/vendor-completions/_vigil ./usr/lib/pkgconfig/vigil.pc ./usr/share/doc/vigil/LICENSE; do
  grep -q " $path" "$work/contents" || { echo "missing from the .deb: $path"; exit 1; }
done
dpkg-deb -f "$deb" Depends | grep -q "libc6"
dpkg-deb -x "$deb" "$work/root"
test "$("$work/root/usr/bin/vigil" --version)" = "vigil $version"
echo "installed package, .deb and embedding example: ok"
