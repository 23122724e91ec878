# shellcheck shell=bash
# Sourced by test/demo and test/run: installs what is missing, builds the
# static dependencies (cached under ~/.cache/rescue-agent), configures and
# builds both build directories:
#   build/      the release: static musl agent with the rescue image bundled
#   build-dev/  glibc + ASan/UBSan + -Werror, for the unit and fuzz suites
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

step() { printf '==> %s\n' "$*"; }

step "checking build and test packages"
sysroot/install-packages

step "static dependencies from Debian source packages"
sysroot_dir=$(sysroot/make-sysroot | tail -n 1)
cross="$sysroot_dir/musl-cross.ini"
[ -f "$cross" ] || { echo "error: $cross missing after make-sysroot" >&2; exit 1; }

configure() { # dir args...
        local dir=$1; shift
        if [ -f "$dir/build.ninja" ]; then
                meson configure "$dir" "$@" >/dev/null
        else
                meson setup "$dir" "$@" >/dev/null
        fi
}

step "configuring build/ (static musl release) and build-dev/ (glibc, sanitizers)"
configure build --cross-file "$cross" --buildtype=release -Dwerror=true
configure build-dev --buildtype=debug -Db_sanitize=address,undefined -Dwerror=true -Drescue=disabled

step "building (the rescue image is built from Debian packages on first use)"
ninja -C build
ninja -C build-dev
