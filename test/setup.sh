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

# setup_dir DIR STAMP ARGS...: configures DIR, again if it exists; starts
# afresh when STAMP (what the directory was made for, e.g. the cross file of
# a sysroot that has since been rebuilt under another key) changed.
setup_dir() {
        local dir=$1 stamp=$2; shift 2
        if [ -f "$dir/build.ninja" ] && [ "$(cat "$dir/.setup-stamp" 2>/dev/null)" = "$stamp" ]; then
                meson setup --reconfigure "$dir" "$@" >/dev/null
        else
                rm -rf "$dir"
                meson setup "$dir" "$@" >/dev/null
                printf '%s\n' "$stamp" >"$dir/.setup-stamp"
        fi
}

step "configuring build/ (static musl release) and build-dev/ (glibc, sanitizers)"
# -Drescue_full=enabled: build/agent-full for the full flavour's vm tests (a
# cold image build ~1.5 min plus ~22 MB more packages once; warm: ~3-4 s)
setup_dir build "$cross" --cross-file "$cross" -Doptimization=s -Ddebug=false -Dwerror=true -Drescue_full=enabled
setup_dir build-dev glibc --buildtype=debug -Db_sanitize=address,undefined -Dwerror=true -Drescue=disabled

step "building (the rescue image is built from Debian packages on first use)"
ninja -C build
ninja -C build-dev
