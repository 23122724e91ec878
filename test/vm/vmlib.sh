# shellcheck shell=bash
# Helpers for the QEMU end-to-end tests (bash; source it, then call vm_init).
#
#   vm_init NAME                 temp dir, cleanup trap, log dir
#   vm_skip REASON               exit 77 (meson: skipped)
#   vm_require_tools TOOL...     skip when a tool is missing
#   vm_free_port                 a free TCP port on 127.0.0.1
#   vm_start VM [options]        boot a guest in the background
#   vm_wait_serial VM REGEX SECS wait for a console line
#   vm_send VM TEXT              type a line on the guest's serial console
#   vm_wait_ssh PORT SECS        wait until sshd completes a key exchange
#   vm_ssh PORT KNOWN_HOSTS IDENTITY ARGS...   ssh with strict host keys
#   vm_wait_exit VM SECS         wait for QEMU to end; sets VM_EXIT_STATUS
#   vm_stop VM                   kill QEMU
#
# Every QEMU started here is killed when the test ends; when the test fails
# (exit status other than 0 and 77) the serial logs are copied to
# $VM_LOG_DIR (meson's log directory) and their tails printed.
# Only 127.0.0.1 is ever used on the host side.

VM_TMP=
VM_NAME=
VM_LOG_DIR=${VM_LOG_DIR:-}
declare -A VM_PID=() VM_SERIAL=() VM_INFD=() VM_START=()
# shellcheck disable=SC2034 # for the tests
VM_EXIT_STATUS=

vm_log() { printf '%s: %s\n' "$VM_NAME" "$*" >&2; }
vm_fail() {
	vm_log "FAIL: $*"
	exit 1
}
vm_skip() {
	echo "SKIP: $*"
	exit 77
}

vm_init() {
	VM_NAME=$1
	VM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$VM_NAME.XXXXXX")
	trap '_vm_cleanup $?' EXIT
	trap 'exit 130' INT TERM
}

_vm_cleanup() {
	local rc=$1 vm
	set +e
	for vm in "${!VM_PID[@]}"; do
		vm_stop "$vm"
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for vm in "${!VM_SERIAL[@]}"; do
			[ -f "${VM_SERIAL[$vm]}" ] || continue
			vm_log "last lines of the serial console of $vm:"
			tail -n 40 "${VM_SERIAL[$vm]}" | sed 's/^/    /' >&2
			if [ -n "$VM_LOG_DIR" ] && mkdir -p "$VM_LOG_DIR" 2>/dev/null; then
				cp "${VM_SERIAL[$vm]}" "$VM_LOG_DIR/$VM_NAME-$vm.serial.log" &&
					vm_log "serial log kept in $VM_LOG_DIR/$VM_NAME-$vm.serial.log"
			else
				vm_log "serial log kept in ${VM_SERIAL[$vm]}"
				return
			fi
		done
	fi
	[ -n "$VM_TMP" ] && rm -rf "$VM_TMP"
}

vm_require_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || vm_skip "$t is not installed"
	done
}

# KVM only with hardware virtualisation: a /dev/kvm without vmx/svm is a
# software hypervisor far slower than TCG.
vm_accel() {
	if [ -w /dev/kvm ] && grep -Eqw 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}

# A port nobody listens on, checked by binding it; QEMU binds it moments
# later (vm_start reports a clash clearly).
vm_free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if command -v python3 >/dev/null; then
			python3 - "$port" 2>/dev/null <<-'EOF' || continue
				import socket, sys
				s = socket.socket()
				s.bind(("127.0.0.1", int(sys.argv[1])))
			EOF
		elif ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
			continue
		fi
		echo "$port"
		return 0
	done
	vm_fail "no free TCP port found on 127.0.0.1"
}

# vm_start VM --kernel K [--initrd I] [--append STR] [--mem MIB]
#                 [--netdev SPEC] [--device SPEC] [-- EXTRA QEMU ARGS...]
# The serial console goes through a pipe into $VM_TMP/VM.serial; a FIFO on
# its stdin lets vm_send type on it.
vm_start() {
	local vm=$1 kernel='' initrd='' append='' mem=256 netdevs=() devices=() extra=()
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) kernel=$2; shift 2 ;;
		--initrd) initrd=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--mem) mem=$2; shift 2 ;;
		--netdev) netdevs+=(-netdev "$2"); shift 2 ;;
		--device) devices+=(-device "$2"); shift 2 ;;
		--) shift; extra=("$@"); break ;;
		*) vm_fail "vm_start: unknown option $1" ;;
		esac
	done
	[ -f "$kernel" ] || vm_fail "vm_start: no kernel $kernel"
	local accel cpu=()
	accel=$(vm_accel)
	[ "$accel" = kvm ] && cpu=(-cpu host)
	local args=(-nodefaults -display none -serial stdio -monitor none -no-reboot
		-accel "$accel" "${cpu[@]}" -smp 1 -m "$mem"
		-kernel "$kernel")
	[ -n "$initrd" ] && args+=(-initrd "$initrd")
	[ -n "$append" ] && args+=(-append "$append")
	args+=("${netdevs[@]}" "${devices[@]}" "${extra[@]}")

	local serial=$VM_TMP/$vm.serial fifo=$VM_TMP/$vm.in fd
	: >"$serial"
	rm -f "$fifo"
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	echo "qemu-system-x86_64 ${args[*]}" >"$VM_TMP/$vm.cmdline"
	qemu-system-x86_64 "${args[@]}" <&$fd > >(cat >>"$serial") 2>"$VM_TMP/$vm.stderr" &
	VM_PID[$vm]=$!
	VM_SERIAL[$vm]=$serial
	VM_INFD[$vm]=$fd
	VM_START[$vm]=$(date +%s.%N)
	vm_log "started $vm (pid ${VM_PID[$vm]}, $accel, ${mem} MiB)"
}

_vm_running() {
	local pid=${VM_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Seconds since vm_start, two decimals.
vm_elapsed() {
	awk -v s="${VM_START[$1]}" -v n="$(date +%s.%N)" 'BEGIN { printf "%.2f", n - s }'
}

# vm_wait_serial VM REGEX SECS: 0 when a console line matches (grep -E),
# 1 on timeout, 2 when QEMU ended first.
vm_wait_serial() {
	local vm=$1 re=$2 secs=$3 deadline
	deadline=$(($(date +%s) + secs))
	while :; do
		grep -Eq -- "$re" "${VM_SERIAL[$vm]}" && return 0
		if ! _vm_running "$vm"; then
			sleep 0.2 # let the pipe drain
			grep -Eq -- "$re" "${VM_SERIAL[$vm]}" && return 0
			return 2
		fi
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# vm_grep_console FILE GREP-ARGS...: grep over a console log without its
# CRs. Never `tr -d '\r' <FILE | grep -q/-m 1`: under pipefail the SIGPIPE
# tr gets when grep stops early fails the pipeline, so a line that is there
# reads as missing (or set -e ends the test with 141) once the log outgrows
# a pipe buffer past the match. A process substitution's status is ignored.
vm_grep_console() {
	local f=$1
	shift
	grep -a "$@" < <(tr -d '\r' <"$f")
}

vm_send() {
	printf '%s\n' "$2" >&"${VM_INFD[$1]}"
}

# User networking accepts TCP connects even when nothing listens in the
# guest: only a completed key exchange proves sshd answers.
vm_wait_ssh() {
	local port=$1 secs=$2 deadline
	deadline=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		if ssh-keyscan -T 3 -p "$port" 127.0.0.1 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# vm_ssh PORT KNOWN_HOSTS IDENTITY ARGS...: ssh to root@127.0.0.1 that
# trusts exactly KNOWN_HOSTS and no user or system configuration.
vm_ssh() {
	local port=$1 kh=$2 id=$3
	shift 3
	ssh -F none -p "$port" -i "$id" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" \
		-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=20 \
		-o ServerAliveInterval=10 -o LogLevel=ERROR root@127.0.0.1 "$@"
}

# The same options for scp and sftp (they take -P / -P and -o alike).
vm_ssh_opts() {
	local kh=$1 id=$2
	printf '%s\n' -F none -i "$id" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" \
		-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=20 -o LogLevel=ERROR
}

# vm_wait_exit VM SECS: 0 when QEMU ended (status in VM_EXIT_STATUS),
# 1 on timeout.
vm_wait_exit() {
	local vm=$1 secs=$2 deadline
	deadline=$(($(date +%s) + secs))
	while _vm_running "$vm"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	VM_EXIT_STATUS=0
	# shellcheck disable=SC2034
	wait "${VM_PID[$vm]}" 2>/dev/null || VM_EXIT_STATUS=$?
	unset "VM_PID[$vm]"
	return 0
}

vm_stop() {
	local vm=$1 pid=${VM_PID[$1]:-} n=0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 25 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "VM_PID[$vm]"
	return 0
}

# vm_cpio_xz DIR OUT FILE...: a newc archive of FILE... (paths relative to
# DIR, in that order), root-owned, xz with the CRC32 the kernel needs.
vm_cpio_xz() {
	local dir=$1 out=$2
	shift 2
	(cd "$dir" && printf '%s\n' "$@" | cpio -o -H newc -R 0:0 --quiet) |
		xz --check=crc32 -T1 >"$out"
}

# vm_append_initrd BASE OUT MEMBER...: BASE, then each member at a 4-byte
# aligned offset (the kernel skips zero padding between members).
vm_append_initrd() {
	local base=$1 out=$2 m size
	shift 2
	cp "$base" "$out"
	for m in "$@"; do
		size=$(stat -c %s "$out")
		head -c $(((4 - size % 4) % 4)) /dev/zero >>"$out"
		cat "$m" >>"$out"
	done
}

# vm_static_agent: sets AGENT, unless given, to the build's agent-bare, else
# its agent ($TOP_BUILDDIR, else $TOP/build); skips the test when there is
# none or it is linked dynamically (a guest has no libc for it).
vm_static_agent() {
	local a
	AGENT=${AGENT:-}
	if [ -z "$AGENT" ]; then
		for a in "${TOP_BUILDDIR:-$TOP/build}/agent-bare" "${TOP_BUILDDIR:-$TOP/build}/agent"; do
			[ -x "$a" ] && AGENT=$a && break
		done
	fi
	[ -n "$AGENT" ] && [ -x "$AGENT" ] || vm_skip "no agent (ninja -C build; or AGENT=...)"
	if grep -q 'INTERP' < <(readelf -l "$AGENT"); then
		vm_skip "$AGENT is linked dynamically (the guest has no libc for it): use the static release build"
	fi
}

# vm_rescue_image: sets RESCUE_DIR to a built rescue image (vmlinuz,
# initrd.img, manifest): $RESCUE_DIR when given, else rescue/build-rescue
# (reuses its cache). Skips the test when there is none.
vm_rescue_image() {
	if [ -n "${RESCUE_DIR:-}" ]; then
		if [ ! -f "$RESCUE_DIR/vmlinuz" ] || [ ! -f "$RESCUE_DIR/initrd.img" ]; then
			vm_skip "no rescue image in RESCUE_DIR=$RESCUE_DIR"
		fi
		return 0
	fi
	local builder=${RESCUE_BUILDER:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/rescue/build-rescue}
	[ -x "$builder" ] || vm_skip "no rescue image and no builder ($builder)"
	vm_log "building or reusing the rescue image with $builder"
	if ! RESCUE_DIR=$("$builder" 2>"$VM_TMP/build-rescue.log" | tail -n 1) ||
		[ ! -f "$RESCUE_DIR/initrd.img" ]; then
		tail -n 20 "$VM_TMP/build-rescue.log" | sed 's/^/    /' >&2
		vm_skip "no rescue image: build-rescue failed (offline without a cache?)"
	fi
}

# vm_manifest KEY: a value from $RESCUE_DIR/manifest.
vm_manifest() {
	sed -n "s/^$1=//p" "$RESCUE_DIR/manifest"
}

# vm_keygen DIR: throwaway host keys DIR/ssh_host_{ed25519,rsa}_key and a
# client key DIR/client.
vm_keygen() {
	local dir=$1
	mkdir -p "$dir"
	ssh-keygen -q -t ed25519 -N '' -C rescue-test-host -f "$dir/ssh_host_ed25519_key"
	ssh-keygen -q -t rsa -b 3072 -N '' -C rescue-test-host -f "$dir/ssh_host_rsa_key"
	ssh-keygen -q -t ed25519 -N '' -C rescue-test-client -f "$dir/client"
}

# vm_rescue_overlay OUT KEYDIR ENV NETWORK_SH [no-sentinel]: an overlay by
# the contract of rescue/README (version 1), made with GNU cpio + xz rather
# than the agent's code: KEYDIR's host keys (and certificates, if any),
# its client.pub as root's only
# authorized key, ENV as etc/rescue/env, NETWORK_SH as etc/rescue/network.sh
# (omitted when empty), the sentinel last (unless no-sentinel).
vm_rescue_overlay() {
	local out=$1 keys=$2 env=$3 net=$4 sentinel=${5:-} d=$VM_TMP/overlay t files
	rm -rf "$d"
	mkdir -p "$d/etc/ssh" "$d/etc/rescue" "$d/root/.ssh"
	chmod 0700 "$d/root" "$d/root/.ssh"
	files=(etc etc/ssh etc/rescue root root/.ssh)
	for t in ed25519 rsa; do
		install -m 0600 "$keys/ssh_host_${t}_key" "$d/etc/ssh/"
		install -m 0644 "$keys/ssh_host_${t}_key.pub" "$d/etc/ssh/"
		files+=("etc/ssh/ssh_host_${t}_key" "etc/ssh/ssh_host_${t}_key.pub")
		if [ -f "$keys/ssh_host_${t}_key-cert.pub" ]; then
			install -m 0644 "$keys/ssh_host_${t}_key-cert.pub" "$d/etc/ssh/"
			files+=("etc/ssh/ssh_host_${t}_key-cert.pub")
		fi
	done
	install -m 0600 "$keys/client.pub" "$d/root/.ssh/authorized_keys"
	printf 'nameserver 192.168.77.3\n' >"$d/etc/resolv.conf"
	printf 'rescue-test\n' >"$d/etc/hostname"
	printf '%s\n' "$env" >"$d/etc/rescue/env"
	files+=(root/.ssh/authorized_keys etc/resolv.conf etc/hostname etc/rescue/env)
	if [ -n "$net" ]; then
		printf '%s\n' "$net" >"$d/etc/rescue/network.sh"
		chmod 0755 "$d/etc/rescue/network.sh"
		files+=(etc/rescue/network.sh)
	fi
	if [ "$sentinel" != no-sentinel ]; then
		: >"$d/etc/rescue/overlay-complete"
		files+=(etc/rescue/overlay-complete)
	fi
	vm_cpio_xz "$d" "$out" "${files[@]}"
}

# vm_static_net_sh MAC ADDR/LEN GATEWAY [NAME]: a network.sh like the
# agent's: finds the NIC by MAC (bounded wait), renames it, sets the
# address and the default route.
vm_static_net_sh() {
	cat <<-EOF
		#!/bin/sh
		mac=$1 addr=$2 gw=$3 name=${4:-lan0}
	EOF
	cat <<-'EOF'
		dev= i=0
		while [ -z "$dev" ] && [ "$i" -lt 100 ]; do
			for d in /sys/class/net/*; do
				[ "$(cat "$d/address" 2>/dev/null)" = "$mac" ] && dev=${d##*/}
			done
			[ -n "$dev" ] || { sleep 0.1; i=$((i + 1)); }
		done
		[ -n "$dev" ] || { echo "no NIC with MAC $mac" >&2; exit 1; }
		rc=0
		if [ "$dev" != "$name" ]; then
			ip link set "$dev" down && ip link set "$dev" name "$name" || rc=1
		fi
		ip link set "$name" up || rc=1
		ip addr add "$addr" dev "$name" || rc=1
		ip route add default via "$gw" dev "$name" || rc=1
		exit $rc
	EOF
}
