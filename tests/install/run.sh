#!/usr/bin/env bash
# Installing smdl and building against it, as an integrator would:
#   1. `cmake --install` into a fresh prefix: the binary, libsmdl.so (with its
#      SONAME, exporting smdl's symbols only), libsmdl.a, the public headers
#      and nothing else, the standard library, docs, man pages, the CMake and
#      pkg-config descriptions, the systemd unit;
#   2. the installed binary reads the installed standard library, and a
#      copy of the prefix elsewhere reads its own;
#   3. examples/embedding built out of tree with find_package(smdl 0.2), and
#      with pkg-config, against the prefix; both run;
#   4. the C API's Python example through the installed libsmdl.so;
#   5. the .deb (cpack), unpacked into a throwaway root with dpkg -x: its
#      smdl checks the library, and the embedding example builds and runs
#      against it.
#   tests/install/run.sh BUILD_DIR SOURCE_ROOT
set -u
build=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; [ -f "$work/log" ] && tail -20 "$work/log"; fail=$((fail + 1)); }
check() {  # NAME COMMAND...
  local name=$1; shift
  if "$@" > "$work/log" 2>&1; then ok; else bad "$name"; fi
}

# 1. Install.
prefix=$work/prefix
check "cmake --install" cmake --install "$build" --prefix "$prefix"
libdir=$prefix/lib
for f in bin/smdl lib/libsmdl.a include/smdl/engine.h include/smdl/c_api.h include/smdl/status.h \
         share/smdl/stdlib/iso20000/core.smdl share/man/man1/smdl.1 share/man/man1/smdl-check.1 \
         share/doc/smdl/language.md lib/cmake/smdl/smdlConfig.cmake lib/cmake/smdl/smdlConfigVersion.cmake \
         lib/pkgconfig/smdl.pc lib/systemd/system/smdl.service; do
  if [ -e "$prefix/$f" ]; then ok; else bad "installed $f"; fi
done
# Only the public headers: include/smdl/*.h and nothing beside them.
if [ "$(cd "$prefix/include" && find . -type f | grep -v '^./smdl/[a-z_]*\.h$')" = "" ]; then ok; else
  bad "headers other than include/smdl/*.h were installed"; fi
so=$(readlink -f "$libdir/libsmdl.so")
if objdump -p "$so" | grep -q 'SONAME *libsmdl.so.0$'; then ok; else bad "libsmdl.so's SONAME is libsmdl.so.0"; fi
# Exported: the C API and smdl's own C++ symbols; no RocksDB, ANTLR, JSON or OpenSSL.
nm -D --defined-only "$so" | awk '{print $3}' > "$work/exports"
if grep -q '^smdl_open$' "$work/exports" && grep -q '^_ZN4smdl6Engine4Open' "$work/exports"; then ok; else
  bad "libsmdl.so exports smdl_open and smdl::Engine::Open"; fi
if grep -v '^smdl_\|^_ZN4smdl\|^_ZNK4smdl\|^_ZT[ISV]N4smdl\|^_ZN4smdl\|^_ZTSN4smdl' "$work/exports" | c++filt | grep -v '^smdl::' > "$work/foreign"; [ ! -s "$work/foreign" ]; then ok; else
  bad "libsmdl.so exports symbols that are not smdl's: $(head -5 "$work/foreign" | tr '\n' ' ')"; fi
check "smdl --version" "$prefix/bin/smdl" --version
if grep -q '^smdl 0\.2\.[0-9]* (git [0-9a-f]\{12\}\(-modified\)\?)$\|^smdl 0\.2\.[0-9]* (git unknown)$' "$work/log"; then ok; else
  bad "smdl --version prints the version and the git revision: $(cat "$work/log")"; fi

# 2. The installed binary reads the installed standard library, even run
# from elsewhere; a copy of the prefix reads its own copy.
cat > "$work/site.smdl" <<'SMDL'
module site;
import iso20000.core;
setting site_name: string = "acme";
SMDL
check "installed smdl checks a module importing the library" env -u SMDL_PATH "$prefix/bin/smdl" check "$work/site.smdl"
cp -r "$prefix" "$work/moved"
echo "this is not SMDL" >> "$work/moved/share/smdl/stdlib/iso20000/core.smdl"
if (cd / && env -u SMDL_PATH "$work/moved/bin/smdl" check "$work/site.smdl") > "$work/log" 2>&1; then
  bad "a moved prefix reads its own standard library (the damaged copy checked clean)"
elif grep -q "$work/moved/share/smdl/stdlib/iso20000/core.smdl" "$work/log"; then ok; else
  bad "a moved prefix names its own standard library: $(head -3 "$work/log")"; fi
# SMDL_PATH comes first: a module of the same name there wins.
mkdir -p "$work/override/iso20000"
cp "$prefix/share/smdl/stdlib/iso20000/core.smdl" "$work/override/iso20000/core.smdl"
check "SMDL_PATH overrides the damaged library" env SMDL_PATH="$work/override" "$work/moved/bin/smdl" check "$work/site.smdl"

# 3. The embedding example out of tree: CMake, then pkg-config.
check "embedding example: cmake configure" cmake -S "$root/examples/embedding" -B "$work/embed" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
check "embedding example: cmake build" cmake --build "$work/embed"
check "embedding example (find_package) runs" env LD_LIBRARY_PATH="$libdir" "$work/embed/smdl_embedding_example" "$work/db1"
if grep -q '"state":"delivered"' "$work/log" && grep -q intact "$work/log"; then ok; else bad "embedding example (find_package) output"; fi
if ldd "$work/embed/smdl_embedding_example" | grep -q "libsmdl.so.0 => $libdir"; then ok; else bad "the example links the installed libsmdl.so.0"; fi
check "embedding example: pkg-config" env PKG_CONFIG_PATH="$libdir/pkgconfig" \
  bash -c "c++ -std=c++20 -O1 '$root/examples/embedding/main.cc' \$(pkg-config --cflags --libs smdl) -o '$work/embed-pc'"
check "embedding example (pkg-config) runs" env LD_LIBRARY_PATH="$libdir" "$work/embed-pc" "$work/db2"
if grep -q '"state":"delivered"' "$work/log"; then ok; else bad "embedding example (pkg-config) output"; fi
check "embedding example: pkg-config --static" env PKG_CONFIG_PATH="$libdir/pkgconfig" \
  bash -c "c++ -std=c++20 -O1 '$root/examples/embedding/main.cc' \$(pkg-config --cflags smdl) '$libdir/libsmdl.a' \$(pkg-config --static --libs-only-l smdl | sed 's/-lsmdl//') -o '$work/embed-static'"
check "embedding example (static) runs" "$work/embed-static" "$work/db3"

# The C program of docs/embedding.md, as it is written there.
mkdir -p "$work/c"
awk '/^```c$/ { inblock = 1; next } /^```/ && inblock { exit } inblock' "$root/docs/embedding.md" > "$work/c/app.c"
cp "$root/examples/c_api/desk.smdl" "$work/c/"
check "docs/embedding.md's C program: pkg-config" env PKG_CONFIG_PATH="$libdir/pkgconfig" \
  bash -c "cc -std=c99 -Wall -Werror '$work/c/app.c' \$(pkg-config --cflags --libs smdl) -o '$work/c/app'"
check "docs/embedding.md's C program runs" bash -c "cd '$work/c' && LD_LIBRARY_PATH='$libdir' ./app"
if grep -q '^fire: ok: .*"state":"working"' "$work/log"; then ok; else bad "the C program fires its event: $(cat "$work/log")"; fi

# 4. The C API from Python, through the installed library.
check "C API from Python" env SMDL_LIBRARY="$so" bash "$root/tests/c_api/run.sh" "$so" "$root"

# 5. The Debian package, unpacked into a throwaway root.
check "cpack" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/package"
deb=$(ls "$work"/package/smdl_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then ok; else bad "cpack made a .deb"; fi
if [ -n "$deb" ]; then
  dpkg-deb -f "$deb" Depends > "$work/depends"
  if grep -q librocksdb "$work/depends"; then ok; else bad "the .deb depends on RocksDB: $(cat "$work/depends")"; fi
  dpkg-deb -c "$deb" > "$work/contents"
  for f in ./usr/bin/smdl ./usr/include/smdl/engine.h ./usr/share/smdl/stdlib/iso20000/core.smdl \
           ./usr/lib/systemd/system/smdl.service ./usr/share/man/man1/smdl-serve.1 ./usr/share/doc/smdl/README.md; do
    if grep -q " $f\$" "$work/contents"; then ok; else bad "the .deb holds $f"; fi
  done
  if grep -q "/usr/lib/.*libsmdl.so.0" "$work/contents" && grep -q "cmake/smdl/smdlConfig.cmake" "$work/contents"; then ok; else
    bad "the .deb holds libsmdl.so.0 and the CMake package"; fi
  # The user and folder the unit needs are made on configure; the service is not enabled.
  dpkg-deb -e "$deb" "$work/control"
  if grep -q "useradd --system" "$work/control/postinst" && ! grep -q "systemctl enable\|deb-systemd-helper enable" "$work/control/postinst"; then ok; else
    bad "the .deb's postinst makes the user and enables nothing"; fi
  # Installed, the unit is not enabled: no symlink into a .wants folder.
  if ! grep -q "wants/" "$work/contents"; then ok; else bad "the .deb enables the service"; fi
  check "dpkg -x" dpkg -x "$deb" "$work/root"
  check "smdl check from the package" env -u SMDL_PATH "$work/root/usr/bin/smdl" check "$work/root/usr/share/smdl/stdlib"
  debian_libdir=$(dirname "$(find "$work/root" -name 'libsmdl.so.0' | head -1)")
  check "embedding example against the package: configure" cmake -S "$root/examples/embedding" -B "$work/embed-deb" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/root/usr" -DCMAKE_BUILD_TYPE=Release
  check "embedding example against the package: build" cmake --build "$work/embed-deb"
  check "embedding example against the package runs" env LD_LIBRARY_PATH="$debian_libdir" "$work/embed-deb/smdl_embedding_example" "$work/db4"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
