#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# netstate in throwaway network namespaces: capture vs `ip -j`, text round
# trip, and the rendered restore script run by busybox (and by busybox sh with
# iproute2's ip) in fresh namespaces whose NICs have other names but the same
# MACs. Only addresses inside our own namespaces are used.
#
#   test-netstate.sh capture|restore|agent-restore|unknown-kind NETSTATE-DUMP COMPARE.py AGENT
set -u
mode=$1 dump=$2 compare=$3 agent=${4:-}

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "no ip (iproute2)"
command -v python3 >/dev/null || skip "no python3"

tag=nst$$
ns_a=$tag-a peer_a=$tag-pa ns_b=$tag-b peer_b=$tag-pb ns_c=$tag-c peer_c=$tag-pc ns_d=$tag-d
ns_e=$tag-e peer_e=$tag-pe ns_f=$tag-f peer_f=$tag-pf
tmp=$(mktemp -d)
cleanup() {
        for n in $ns_a $peer_a $ns_b $peer_b $ns_c $peer_c $ns_d $ns_e $peer_e $ns_f $peer_f; do
                ip netns del "$n" 2>/dev/null
        done
        rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns_a" 2>/dev/null || skip "cannot create a network namespace (ip netns add)"

odd="x'y\"\$z"          # a legal interface name that needs quoting everywhere
A() { ip -n "$ns_a" "$@" || die "setup: ip $*"; }

# Namespace $1 gets veths whose peers live in $2, one per "name mac" pair.
add_veths() {
        local ns=$1 peer=$2; shift 2
        ip netns add "$peer" || die "ip netns add $peer"
        local i=0
        while [ $# -gt 0 ]; do
                ip -n "$ns" link add name "$1" address "$2" type veth peer name "p$i" netns "$peer" ||
                        die "veth $1 in $ns"
                ip -n "$peer" link set "p$i" up
                i=$((i + 1)); shift 2
        done
}

setup_a() {
        add_veths "$ns_a" "$peer_a" v0 02:00:00:00:0a:00 v1 02:00:00:00:0a:01 v2 02:00:00:00:0a:02 \
                "$odd" 02:00:00:00:0a:03
        A link set lo up
        A link add name br0 address 02:00:00:00:0b:00 type bridge
        A link set v2 master br0
        A link set v1 mtu 1400
        for l in v0 v1 v2 "$odd" br0; do A link set "$l" up; done
        A link add link v0 name mv0 address 02:00:00:00:0c:00 type macvlan mode bridge
        A link set mv0 up

        A addr add 10.1.0.1/24 dev v0
        A addr add 10.1.0.2/24 label v0:sec dev v0
        A addr add 2001:db8:1::1/64 dev v0 nodad
        A addr add fe80::99/64 dev v0 nodad
        A addr add 10.9.0.1 peer 10.9.0.2/32 dev v1
        A addr add 10.4.0.1/24 dev v1 valid_lft 3600 preferred_lft 3600
        A addr add 2001:db8:2::1/64 dev v1 nodad noprefixroute
        A addr add 10.3.0.1/24 broadcast 10.3.0.255 dev br0
        A addr add 2001:db8:3::1/64 dev br0 nodad
        A addr add 10.5.0.1/24 dev "$odd"
        A addr add 10.6.0.1/24 dev mv0

        A route add default via 10.1.0.254 dev v0 metric 100 proto static
        A route add 10.20.0.0/16 via 10.1.0.253 metric 5
        A route add 10.21.0.0/16 via 192.0.2.1 dev v1 onlink
        A route add blackhole 10.22.0.0/16
        A route add unreachable 10.23.0.0/16
        A route add prohibit 10.24.0.0/16 metric 7
        A route add 10.25.0.0/16 via 10.1.0.254 mtu 1300 advmss 1200
        A route add 10.26.0.0/16 dev v0 src 10.1.0.1
        A route add 10.27.0.0/16 nexthop via 10.1.0.250 dev v0 weight 1 nexthop via 10.3.0.250 dev br0 weight 3
        # libnl #224: two routes that differ only by interface
        A route add 10.28.0.0/24 dev v0 metric 50
        A route append 10.28.0.0/24 dev v1 metric 50
        A route add 10.29.0.0/16 via inet6 fe80::1 dev v0
        A route add 10.7.0.0/16 dev "$odd" proto 42
        A -6 route add default via fe80::1 dev v0 metric 1024
        A -6 route add 2001:db8:10::/48 via 2001:db8:1::fe metric 10
        A -6 route add 2001:db8:11::/48 via fe80::2 dev v1
        A -6 route add 2001:db8:12::/48 nexthop via fe80::1 dev v0 weight 2 nexthop via fe80::3 dev v1 weight 1
        A -6 route add 2001:db8:13::/48 nexthop via fe80::1 dev v0 nexthop via fe80::4 dev v1
        A -6 route add blackhole 2001:db8:14::/48
        A -6 route add 2001:db8:15::/48 dev v0 metric 300
        A -6 route append 2001:db8:15::/48 dev v1 metric 300
        A route add default via 10.1.0.254 dev v0 table 100
        A route add 10.30.0.0/16 dev v1 table 100
        A route add unreachable 10.31.0.0/16 table 100
        A -6 route add 2001:db8:21::/48 via 2001:db8:ff::1 dev v0 onlink table 100
        A -6 route add default via fe80::1 dev v0 table 100

        A rule add prio 100 from 10.1.0.0/24 lookup 100
        A rule add prio 101 to 10.30.0.0/16 lookup 100
        A rule add prio 102 fwmark 0x10/0xff lookup 100
        A rule add prio 103 iif v1 lookup 100
        A rule add prio 104 tos 0x10 lookup 100
        A rule add prio 105 oif v0 lookup 100
        A rule add prio 106 from 10.9.0.0/16 blackhole
        A -6 rule add prio 100 from 2001:db8:1::/64 lookup 100
        A -6 rule add prio 101 fwmark 0x20 lookup 100
}

# `ip -j` views of namespace $1 into directory $2.
snapshot() {
        mkdir -p "$2"
        ip -n "$1" -j -d link >"$2/link.json" &&
        ip -n "$1" -j addr >"$2/addr.json" &&
        ip -n "$1" -4 -j route show table all >"$2/route4.json" &&
        ip -n "$1" -j -6 route show table all >"$2/route6.json" &&
        ip -n "$1" -4 -j rule >"$2/rule4.json" &&
        ip -n "$1" -j -6 rule >"$2/rule6.json" || die "ip -j of $1"
}

capture() {
        # DNS from a root of our own: resolv.conf points at resolved's stub.
        mkdir -p "$tmp/root/etc" "$tmp/root/run/systemd/resolve"
        printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n' >"$tmp/root/etc/resolv.conf"
        printf '# real upstreams\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch corp.test lab.test\n' \
                >"$tmp/root/run/systemd/resolve/resolv.conf"
        ip netns exec "$ns_a" "$dump" --root "$tmp/root" "$@"
}

test_capture() {
        setup_a
        sleep 1         # let carrier and bridge ports settle
        capture >"$tmp/state.txt" || die "capture failed"
        capture --json >"$tmp/state.json" || die "capture --json failed"
        snapshot "$ns_a" "$tmp/ip-a"
        cat "$tmp/state.txt"
        python3 "$compare" capture "$tmp/state.json" "$tmp/ip-a" || die "capture differs from ip -j"

        grep -q '^dns nameserver=192.0.2.53$' "$tmp/state.txt" &&
        grep -q '^dns nameserver=2001:db8::53$' "$tmp/state.txt" &&
        grep -q '^dns search=lab.test$' "$tmp/state.txt" &&
        ! grep -q '127.0.0.53' "$tmp/state.txt" || die "DNS: expected the upstreams behind the stub"
        [ "$(grep -c '^route family=inet table=main type=unicast dst=10.28.0.0/24 ' "$tmp/state.txt")" = 2 ] ||
                die "libnl #224: both routes to 10.28.0.0/24 must be captured"
        [ "$(grep -c '^route family=inet6 table=main type=unicast dst=2001:db8:15::/48 ' "$tmp/state.txt")" = 2 ] ||
                die "both IPv6 routes to 2001:db8:15::/48 must be captured"
        grep -q '^link name="x'"'"'y\\"$z" ' "$tmp/state.txt" || die "odd interface name not quoted as expected"
        grep -q 'local=10.4.0.1/24 .*dynamic' "$tmp/state.txt" || die "the lease-like address must be marked dynamic"
        grep -q 'local=fe80::99/64' "$tmp/state.txt" || die "a configured link-local must be kept"
        ip netns exec "$ns_a" "$dump" --roundtrip >/dev/null || die "format -> parse -> format is not the identity"
        ip netns exec "$ns_a" "$dump" --parse "$tmp/state.txt" >"$tmp/again.txt" || die "parse of the capture failed"
        cmp "$tmp/state.txt" "$tmp/again.txt" || die "parse+format of the capture differs"
        echo "capture: OK"
}

# Fetch busybox-static once into the cache, unpack it under $tmp.
get_busybox() {
        local cache=${XDG_CACHE_HOME:-$HOME/.cache}/rescue-agent/debs
        mkdir -p "$cache"
        local deb
        deb=$(ls "$cache"/busybox-static_*.deb 2>/dev/null | head -n1)
        if [ -z "$deb" ]; then
                (cd "$cache" && apt-get download busybox-static >/dev/null 2>&1) || return 1
                deb=$(ls "$cache"/busybox-static_*.deb 2>/dev/null | head -n1)
        fi
        [ -n "$deb" ] && dpkg-deb -x "$deb" "$tmp/bb" || return 1
        busybox=$tmp/bb/bin/busybox
        mkdir -p "$tmp/bb/applets"
        for a in $("$busybox" --list); do ln -sf "$busybox" "$tmp/bb/applets/$a"; done
}

# Namespace $1 (peers in $2) gets the same MACs under other names; v0's and
# v1's names are swapped, so renaming has to go through temporary names.
setup_target() {
        add_veths "$1" "$2" v1 02:00:00:00:0a:00 v0 02:00:00:00:0a:01 n2 02:00:00:00:0a:02 n3 02:00:00:00:0a:03
}

expected_busybox_failures() {
        cat <<'EOF'
network: add route 10.27.0.0/16 table main as multipath (busybox ip lacks nexthop: added the first nexthop only) failed
network: add route 10.29.0.0/16 table main dev v0 (busybox ip lacks via inet6, tos and from) failed
network: add route 2001:db8:12::/48 table main with weights (busybox ip lacks nexthop: added equal weights) failed
network: add rule prio 105 (inet) (busybox ip lacks not, oif and rule actions) failed
network: add rule prio 106 (inet) (busybox ip lacks not, oif and rule actions) failed
network: create macvlan mv0 in mode bridge (busybox ip lacks macvlan modes: made in vepa mode) failed
EOF
}

# Runs the script in namespace $1 with busybox sh; $2 is IPROUTE2's value.
run_script() {
        ip netns exec "$1" env -i PATH="$tmp/bb/applets" IPROUTE2="$2" NETWORK_WAIT_SECONDS=5 \
                "$busybox" sh "$tmp/restore.sh" 2>"$tmp/stderr-$1"
}

test_restore() {
        get_busybox || skip "busybox-static is not available (apt-get download busybox-static)"
        setup_a
        sleep 1
        capture >"$tmp/state.txt" || die "capture failed"
        ip netns exec "$ns_a" "$dump" --parse "$tmp/state.txt" --script >"$tmp/restore.sh" || die "render failed"
        "$busybox" sh -n "$tmp/restore.sh" || die "the script does not parse"
        snapshot "$ns_a" "$tmp/ip-a"

        # 1. busybox alone: everything but what its ip cannot say.
        ip netns add "$ns_b" || die "ip netns add"
        setup_target "$ns_b" "$peer_b"
        run_script "$ns_b" ""
        rc=$?
        cat "$tmp/stderr-$ns_b"
        [ "$rc" = 1 ] || die "busybox run: exit $rc, expected 1 (unsupported steps reported)"
        grep '^network: ' "$tmp/stderr-$ns_b" | sort >"$tmp/got-failures"
        expected_busybox_failures | sort >"$tmp/want-failures"
        diff -u "$tmp/want-failures" "$tmp/got-failures" || die "busybox run: unexpected failure reports"
        sleep 1
        snapshot "$ns_b" "$tmp/ip-b"
        python3 "$compare" restore "$tmp/ip-a" "$tmp/ip-b" \
                --ignore-route "inet 254 10.27.0.0/16" --ignore-route "inet 254 10.29.0.0/16" \
                --ignore-route "inet6 254 2001:db8:12::/48" \
                --ignore-rule "inet 105" --ignore-rule "inet 106" --ignore-settings mv0 || die "busybox restore differs"

        # 2. busybox sh with iproute2's ip found on its own: everything.
        ip netns add "$ns_c" || die "ip netns add"
        setup_target "$ns_c" "$peer_c"
        run_script "$ns_c" auto
        rc=$?
        cat "$tmp/stderr-$ns_c"
        [ "$rc" = 0 ] || die "iproute2 run: exit $rc"
        sleep 1
        snapshot "$ns_c" "$tmp/ip-c"
        python3 "$compare" restore "$tmp/ip-a" "$tmp/ip-c" || die "iproute2 restore differs"

        # 3. No NICs at all: bounded wait, each missing link reported, exit 1.
        ip netns add "$ns_d" || die "ip netns add"
        start=$(date +%s)
        ip netns exec "$ns_d" env -i PATH="$tmp/bb/applets" IPROUTE2= NETWORK_WAIT_SECONDS=2 \
                "$busybox" sh "$tmp/restore.sh" 2>"$tmp/stderr-d"
        rc=$?
        [ "$rc" = 1 ] || die "without NICs: exit $rc, expected 1"
        [ $(( $(date +%s) - start )) -lt 20 ] || die "without NICs: the wait is not bounded"
        grep -qx 'network: find link v0 (MAC 02:00:00:00:0a:00) failed' "$tmp/stderr-d" ||
                die "without NICs: missing link not reported"
        echo "restore: OK"
}

# Runs `agent restore` in namespace $1 with the rest of the arguments; its
# stdout+stderr in $tmp/agent-$1.
run_agent() {
        local ns=$1; shift
        ip netns exec "$ns" env NETWORK_WAIT_SECONDS="${wait_s:-5}" "$agent" restore "$@" >"$tmp/agent-$ns" 2>&1
}

# The same comparison as the script's, with `agent restore` (netlink, no
# ip at all) doing the work; then its dry run, bad state files, no NICs.
test_agent_restore() {
        [ -x "$agent" ] || die "no agent binary given"
        setup_a
        sleep 1
        capture >"$tmp/state.txt" || die "capture failed"
        snapshot "$ns_a" "$tmp/ip-a"

        ip netns add "$ns_e" || die "ip netns add"
        setup_target "$ns_e" "$peer_e"
        # A bridge of the name already there, as bonding's bond0 or dummy0
        # appear when their module loads: taken over, not an error.
        ip -n "$ns_e" link add name br0 type bridge || die "ip link add br0"
        start=$(date +%s%N)
        run_agent "$ns_e" --state "$tmp/state.txt"
        rc=$?
        end=$(date +%s%N)
        cat "$tmp/agent-$ns_e"
        [ "$rc" = 0 ] || die "agent restore: exit $rc"
        echo "agent restore took $(( (end - start) / 1000000 )) ms"
        grep -q '^network: ok find link v0: found v1 by its ' "$tmp/agent-$ns_e" || die "agent restore: v0 not found by MAC"
        grep -q '^network: ok add route 10.29.0.0/16 table main via fe80::1 dev v0 ' "$tmp/agent-$ns_e" ||
                die "agent restore: the IPv4 route via an IPv6 gateway is not reported"
        grep -q '^network: FAILED' "$tmp/agent-$ns_e" && die "agent restore: a step failed"
        grep -qx 'network: ok create bridge br0' "$tmp/agent-$ns_e" || die "agent restore: br0 not taken over"
        sleep 1
        snapshot "$ns_e" "$tmp/ip-e"
        python3 "$compare" restore "$tmp/ip-a" "$tmp/ip-e" || die "agent restore differs"

        # Dry run: reports what it would do, changes nothing.
        ip netns add "$ns_f" || die "ip netns add"
        setup_target "$ns_f" "$peer_f"
        sleep 1
        snapshot "$ns_f" "$tmp/ip-f0"
        run_agent "$ns_f" --state "$tmp/state.txt" --dry-run
        rc=$?
        [ "$rc" = 0 ] || { cat "$tmp/agent-$ns_f"; die "dry run: exit $rc"; }
        grep -q '^network: would rename link v1 to v0$' "$tmp/agent-$ns_f" || die "dry run: no rename planned"
        grep -q '^network: would add route 10.27.0.0/16 table main nexthop via 10.1.0.250 dev v0 nexthop via 10.3.0.250 dev br0 ' \
                "$tmp/agent-$ns_f" || die "dry run: the multipath route is not planned"
        snapshot "$ns_f" "$tmp/ip-f1"
        for f in link addr route4 route6 rule4 rule6; do
                cmp -s "$tmp/ip-f0/$f.json" "$tmp/ip-f1/$f.json" || die "dry run changed $f"
        done

        # Bad state files: a clear error, exit 1, nothing done.
        printf 'netstate 2\nlink name=v0\n' >"$tmp/future.txt"
        printf '\177ELF\001\002garbage\n' >"$tmp/garbage.txt"
        head -c 300 "$tmp/state.txt" | sed '$d' >"$tmp/trunc.txt"
        printf 'netstate 1\nlink name=v0 mtu=notanumber\n' >"$tmp/bad.txt"
        run_agent "$ns_f" --state "$tmp/future.txt"
        [ $? = 1 ] && grep -q 'future.txt:1: written in another netstate format version' "$tmp/agent-$ns_f" ||
                { cat "$tmp/agent-$ns_f"; die "future version: no clear error"; }
        run_agent "$ns_f" --state "$tmp/garbage.txt"
        [ $? = 1 ] && grep -q 'garbage.txt:1: malformed' "$tmp/agent-$ns_f" ||
                { cat "$tmp/agent-$ns_f"; die "garbage: no clear error"; }
        run_agent "$ns_f" --state "$tmp/bad.txt"
        [ $? = 1 ] && grep -q 'bad.txt:2: malformed' "$tmp/agent-$ns_f" ||
                { cat "$tmp/agent-$ns_f"; die "bad value: no clear error with its line"; }
        run_agent "$ns_f" --state "$tmp/missing.txt"
        [ $? = 1 ] && grep -q 'cannot read the network state .*missing.txt' "$tmp/agent-$ns_f" ||
                { cat "$tmp/agent-$ns_f"; die "missing file: no clear error"; }
        # A truncated file parses as far as it goes: what it names is restored
        # or reported, never a crash.
        run_agent "$ns_f" --state "$tmp/trunc.txt" --dry-run
        [ $? -le 1 ] || die "truncated file: exit status $?"
        snapshot "$ns_f" "$tmp/ip-f2"
        for f in link addr route4 route6 rule4 rule6; do
                cmp -s "$tmp/ip-f0/$f.json" "$tmp/ip-f2/$f.json" || die "a bad state file changed $f"
        done

        # No NICs at all: bounded wait, each missing link reported, the rest
        # (loopback, rules) still done, exit 1.
        ip netns add "$ns_d" || die "ip netns add"
        start=$(date +%s)
        wait_s=2 run_agent "$ns_d" --state "$tmp/state.txt"
        rc=$?
        [ "$rc" = 1 ] || { cat "$tmp/agent-$ns_d"; die "without NICs: exit $rc, expected 1"; }
        [ $(( $(date +%s) - start )) -lt 20 ] || die "without NICs: the wait is not bounded"
        grep -qx 'network: FAILED find link v0 (MAC 02:00:00:00:0a:00) within 2 s: No such device' "$tmp/agent-$ns_d" ||
                { cat "$tmp/agent-$ns_d"; die "without NICs: missing link not reported"; }
        grep -qx 'network: ok add rule inet prio 102 lookup 100' "$tmp/agent-$ns_d" ||
                { cat "$tmp/agent-$ns_d"; die "without NICs: one failure stopped the rest"; }
        echo "agent restore: OK"
}

# Links of kinds no rescue has (tun, tap) and everything on them: skipped
# with a warning by `agent restore` and by the script, never a failure; the
# rest is restored as if they had not been there.
test_unknown_kind() {
        [ -x "$agent" ] || die "no agent binary given"
        add_veths "$ns_a" "$peer_a" v0 02:00:00:00:0a:00 v1 02:00:00:00:0a:01
        A link set lo up
        ip -n "$ns_a" tuntap add dev tun0 mode tun 2>/dev/null || skip "no tun device (ip tuntap add)"
        A tuntap add dev tap0 mode tap
        A link set tap0 address 02:00:00:00:0d:00
        A link add name br0 address 02:00:00:00:0b:00 type bridge
        A link set v1 master br0
        A link set tap0 master br0
        for l in v0 v1 br0 tun0 tap0; do A link set "$l" up; done
        A addr add 10.1.0.1/24 dev v0
        A addr add 10.3.0.1/24 dev br0
        A addr add 10.40.0.1/24 dev tun0
        A addr add 10.44.0.1/24 dev tap0
        A addr add 2001:db8:44::1/64 dev tap0 nodad
        A route add default via 10.1.0.254 dev v0
        A route add 10.41.0.0/16 dev tun0
        A route add 10.42.0.0/16 dev v0 src 10.40.0.1
        A route add 10.43.0.0/16 nexthop dev v0 nexthop dev tun0
        A route add 10.45.0.0/16 via 10.44.0.254 dev tap0
        A rule add prio 100 iif tun0 lookup 100
        sleep 1
        capture >"$tmp/state.txt" || die "capture failed"
        grep -q '^link name=tun0 .*kind=tun' "$tmp/state.txt" || die "tun0 not captured with its kind"
        snapshot "$ns_a" "$tmp/ip-a"
        ignore="--ignore-link tun0 --ignore-link tap0 --ignore-route inet\ 254\ 10.42.0.0/16"

        want_skipped() {        # $1: output file, $2: the word that marks a skip
                for w in "restore link tun0 of kind tun" "restore link tap0 of kind tun" \
                         "enslave link tap0 to .*br0" "add address 10.40.0.1/24 to link tun0" \
                         "add address 2001:db8:44::1/64 to link tap0" "add address 10.44.0.1/24 to link tap0" \
                         "route 10.41.0.0/16 table main" \
                         "route 10.42.0.0/16 table main" "route 10.43.0.0/16 table main" \
                         "route 10.45.0.0/16 table main"; do
                        grep -q "^network: $2.*$w" "$1" || die "no skip reported for: $w"
                done
        }

        # agent restore (netlink)
        ip netns add "$ns_e" || die "ip netns add"
        add_veths "$ns_e" "$peer_e" n0 02:00:00:00:0a:00 n1 02:00:00:00:0a:01
        run_agent "$ns_e" --state "$tmp/state.txt"
        rc=$?
        cat "$tmp/agent-$ns_e"
        [ "$rc" = 0 ] || die "agent restore: exit $rc, expected 0 (skips are warnings)"
        grep -q '^network: FAILED' "$tmp/agent-$ns_e" && die "agent restore: a step failed"
        want_skipped "$tmp/agent-$ns_e" "SKIPPED "
        grep -q '^network: restored, [0-9]* steps, 10 SKIPPED' "$tmp/agent-$ns_e" || die "agent restore: no summary of skips"
        grep -qx 'network: ok add rule inet prio 100 lookup 100' "$tmp/agent-$ns_e" || die "agent restore: the rule naming tun0 is lost"
        sleep 1
        snapshot "$ns_e" "$tmp/ip-e"
        eval "python3 \"\$compare\" restore \"\$tmp/ip-a\" \"\$tmp/ip-e\" $ignore" || die "agent restore differs"

        # The script, with iproute2's ip
        get_busybox || { echo "busybox-static not available: script part not run"; echo "unknown kind: OK"; return; }
        ip netns exec "$ns_a" "$dump" --parse "$tmp/state.txt" --script >"$tmp/restore.sh" || die "render failed"
        ip netns add "$ns_c" || die "ip netns add"
        add_veths "$ns_c" "$peer_c" n0 02:00:00:00:0a:00 n1 02:00:00:00:0a:01
        run_script "$ns_c" auto
        rc=$?
        cat "$tmp/stderr-$ns_c"
        [ "$rc" = 0 ] || die "script: exit $rc, expected 0 (skips are warnings)"
        grep -q 'failed$' "$tmp/stderr-$ns_c" && die "script: a step failed"
        sed -n 's/^network: \(.*\) skipped$/network: skipped \1/p' "$tmp/stderr-$ns_c" >"$tmp/script-skips"
        want_skipped "$tmp/script-skips" "skipped "
        sleep 1
        snapshot "$ns_c" "$tmp/ip-c"
        eval "python3 \"\$compare\" restore \"\$tmp/ip-a\" \"\$tmp/ip-c\" $ignore" || die "script restore differs"
        echo "unknown kind: OK"
}

case $mode in
capture) test_capture ;;
restore) test_restore ;;
agent-restore) test_agent_restore ;;
unknown-kind) test_unknown_kind ;;
*) die "usage: $0 capture|restore|agent-restore|unknown-kind DUMP COMPARE AGENT" ;;
esac
