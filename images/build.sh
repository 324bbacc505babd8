#!/usr/bin/env bash
# Build the Hyperlab default guest image (tiny i386 Linux 6.1 + BusyBox, for v86) from Debian
# packages, byte for byte the same on every run.
#
#   sudo bash images/build.sh           build in images/.build/, write the artifacts and
#                                       images/manifest.json
#   sudo bash images/build.sh --check   rebuild from scratch in a temporary folder, compare every
#                                       artifact's sha256 with images/manifest.json and list what
#                                       differs; images/ is left as it is
#
# The host is left as it was. The guest's packages (busybox-static:i386, linux-source-6.1,
# seabios) and the tools a fresh machine lacks (flex, bison, m4, and qemu-user-static to run the
# i386 BusyBox once, to list its applets) are downloaded with apt-get into the build folder, with
# an apt state of its own there (no `dpkg --add-architecture`, the host's package lists are not
# touched), and unpacked there with dpkg-deb. Nothing is installed, registered (no binfmt_misc
# entry) or mounted. From the host it uses the compiler and a few programs (gcc, binutils,
# libc6-dev, make, bc, perl, xz-utils, patch, tar); if one is missing and this runs as root, it
# installs those with apt and says so. Both modes compare the host's package list (dpkg) before
# and after and fail if a package of the host was changed or removed.
#
# Writes (build mode):
#   images/linux/bzImage            (padded with zeros to a multiple of 512 bytes)
#   images/bios/bios.bin            (Debian SeaBIOS)
#   images/bios/vgabios-stdvga.bin  (Debian SeaBIOS VGA BIOS)
#   images/manifest.json            (keeps the readySnapshots that make-snapshot.mjs wrote)
#
# Environment knobs:
#   HYPERLAB_CLEAN=1      build mode: wipe images/.build/ first (a full rebuild)
#   HYPERLAB_KEEP=1       check mode: keep the temporary folder (its path is printed)
#   HYPERLAB_MIRROR=URL   Debian mirror (default http://deb.debian.org/debian; the security
#                         archive is URL-security)
#   JOBS=N                make -jN (default: the number of cores)
set -euo pipefail

MODE=build
case "${1:-}" in
'') ;;
--check) MODE=check ;;
-h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: images/build.sh [--check]" >&2
	exit 2
	;;
esac

# ---- pinned inputs ---------------------------------------------------------------------------
SEABIOS_VER=1.16.2-1
LINUX_SOURCE_VER=6.1.192-3
BUSYBOX_VER=1:1.35.0-4+deb12u1+b1
GUEST_ARCH=i386
# what the guest's bytes are made of: exact versions
GUEST_DEBS=("seabios=$SEABIOS_VER" "linux-source-6.1=$LINUX_SOURCE_VER" "busybox-static:$GUEST_ARCH=$BUSYBOX_VER")
# tools that only run during the build (their version does not reach the image): what the
# archive has
TOOL_DEBS=(flex bison m4 qemu-user-static)
# programs taken from the host, and the Debian packages that provide them
HOST_CMDS=(gcc:gcc ld:binutils make:make bc:bc perl:perl-base xz:xz-utils patch:patch tar:tar dpkg-deb:dpkg)

# ---- reproducibility ---------------------------------------------------------------------------
export SOURCE_DATE_EPOCH=1704067200 # 2024-01-01 00:00:00 UTC
export KBUILD_BUILD_TIMESTAMP="Mon Jan  1 00:00:00 UTC 2024"
export KBUILD_BUILD_USER=hyperlab
export KBUILD_BUILD_HOST=hyperlab
export KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC
umask 022

JOBS=${JOBS:-$(nproc)}
IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIRROR=${HYPERLAB_MIRROR:-http://deb.debian.org/debian}
FRAGMENT="$IMAGES_DIR/linux/config.fragment"
ROOTFS_SRC="$IMAGES_DIR/linux/rootfs"
INIT_SRC="$IMAGES_DIR/linux/init"
PATCH="$IMAGES_DIR/linux/uncompressed-x86.patch"
ARTIFACTS=(linux/bzImage bios/bios.bin bios/vgabios-stdvga.bin)

# init_on_free=1: the kernel zeroes memory it frees, and v86 leaves zero pages out of a
# snapshot, so a booted 32 MiB guest saves to ~3 MiB instead of ~5 MiB.
CMDLINE="console=ttyS0 tsc=reliable clocksource=tsc quiet loglevel=3 random.trust_cpu=on init_on_free=1"

log() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'build.sh: error: %s\n' "$*" >&2
	exit 1
}

start=$(date +%s)
if [[ $MODE == check ]]; then
	BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hyperlab-image-check.XXXXXX")
	OUT_DIR="$BUILD_DIR/out"
else
	BUILD_DIR="$IMAGES_DIR/.build"
	OUT_DIR="$BUILD_DIR/out"
fi

# Everything this script makes lives in $BUILD_DIR. It registers and mounts nothing, so on any
# exit (a failure half-way too) there is only the temporary folder of --check to remove.
cleanup() {
	local status=$?
	if [[ $MODE == check ]]; then
		if [[ "${HYPERLAB_KEEP:-0}" == 1 ]]; then
			echo "kept $BUILD_DIR" >&2
		else
			# a compiler killed with the build may still be writing a moment: try again
			for _ in 1 2 3 4 5; do
				rm -rf "$BUILD_DIR" 2>/dev/null && break
				sleep 1
			done
			[[ ! -e $BUILD_DIR ]] || echo "build.sh: could not remove $BUILD_DIR" >&2
		fi
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

host_packages() { dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\n' | sort; }
HOST_BEFORE=$(host_packages)

# ---- 1. host programs ----------------------------------------------------------------------------
missing=()
for pair in "${HOST_CMDS[@]}"; do
	command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
[[ -e /usr/include/stdio.h ]] || missing+=(libc6-dev)
if ((${#missing[@]})); then
	[[ $(id -u) -eq 0 ]] || die "the host lacks ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
	log "installing host build programs: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update || echo "build.sh: warning: apt-get update failed, using the lists there are" >&2
	apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- 2. Debian packages, downloaded into the build folder ----------------------------------------
# apt with a state of its own: its own sources, lists, cache and an empty dpkg status, both
# architectures known to it alone. The host's configuration parts (proxies and the like) still apply.
APT_DIR="$BUILD_DIR/apt"
DEBS="$BUILD_DIR/debs"
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/sources.list.d" "$DEBS"
: >"$APT_DIR/status"
HOST_ARCH=$(dpkg --print-architecture)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $KEYRING ]] || die "$KEYRING is missing (Debian's archive keys, package debian-archive-keyring)"
cat >"$APT_DIR/sources.list" <<EOF
deb [arch=$HOST_ARCH,$GUEST_ARCH signed-by=$KEYRING] $MIRROR bookworm main
deb [arch=$HOST_ARCH,$GUEST_ARCH signed-by=$KEYRING] $MIRROR bookworm-updates main
deb [arch=$HOST_ARCH signed-by=$KEYRING] $MIRROR-security bookworm-security main
EOF
APT=(apt-get -q
	-o "Dir::State=$APT_DIR" -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::State::status=$APT_DIR/status"
	-o "Dir::Cache=$APT_DIR/cache" -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
	-o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d" -o "Dir::Etc::Preferences=$APT_DIR/preferences"
	-o "Dir::Etc::PreferencesParts=$APT_DIR/sources.list.d"
	-o "APT::Architecture=$HOST_ARCH" -o "APT::Architectures::=$HOST_ARCH" -o "APT::Architectures::=$GUEST_ARCH"
	-o "Acquire::Languages=none" -o "APT::Sandbox::User=root")

log "downloading packages into $DEBS"
# A mirror mid-sync can fail one index for a moment; what must succeed is the download below.
for try in 1 2 3; do
	"${APT[@]}" update && break
	echo "build.sh: apt-get update failed (try $try of 3)" >&2
	sleep $((try * 5))
done
(cd "$DEBS" && "${APT[@]}" download "${GUEST_DEBS[@]}" "${TOOL_DEBS[@]}") ||
	die "could not download ${GUEST_DEBS[*]} ${TOOL_DEBS[*]} (if Debian has replaced a pinned version, update it in build.sh)"

# deb_of NAME [ARCH]: the one downloaded .deb of that package
deb_of() {
	local arch=${2:-*}
	local found=("$DEBS/$1"_*_$arch.deb)
	[[ ${#found[@]} == 1 && -f ${found[0]} ]] || die "expected one downloaded $1 package, found: ${found[*]}"
	echo "${found[0]}"
}
check_deb() { # NAME VERSION [ARCH]
	local deb got
	deb=$(deb_of "$1" "${3:-}")
	got=$(dpkg-deb -f "$deb" Version)
	[[ $got == "$2" ]] || die "downloaded $1 is $got, expected $2"
}
check_deb seabios "$SEABIOS_VER"
check_deb linux-source-6.1 "$LINUX_SOURCE_VER"
check_deb busybox-static "$BUSYBOX_VER" "$GUEST_ARCH"

# ---- 3. unpack ---------------------------------------------------------------------------------------
# unpack NAME [ARCH]: dpkg-deb -x into $BUILD_DIR/pkgs/NAME, once per .deb
unpack() {
	local deb dir
	deb=$(deb_of "$1" "${2:-}")
	dir="$BUILD_DIR/pkgs/$1"
	if [[ ! -f $dir/.from || $(<"$dir/.from") != "${deb##*/}" ]]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		echo "${deb##*/}" >"$dir/.from"
	fi
	echo "$dir"
}
log "unpacking"
SEABIOS_DIR="$(unpack seabios)/usr/share/seabios"
BUSYBOX_BIN="$(unpack busybox-static "$GUEST_ARCH")/bin/busybox"
# ELF e_machine (offset 18) must be EM_386 = 3
[[ $(od -An -tx1 -j18 -N2 "$BUSYBOX_BIN" | tr -d ' \n') == 0300 ]] || die "$BUSYBOX_BIN is not an i386 binary"
TOOLS=$BUILD_DIR/tools
mkdir -p "$TOOLS"
for tool in flex bison m4; do cp -a "$(unpack "$tool")/." "$TOOLS/"; done
export PATH="$TOOLS/usr/bin:$PATH" M4="$TOOLS/usr/bin/m4" BISON_PKGDATADIR="$TOOLS/usr/share/bison"
QEMU_DEB=$(deb_of qemu-user-static)
QEMU_I386="$BUILD_DIR/pkgs/qemu-i386-static"
if [[ ! -x $QEMU_I386 ]]; then
	dpkg-deb --fsys-tarfile "$QEMU_DEB" | tar -xO ./usr/bin/qemu-i386-static >"$QEMU_I386.part"
	chmod 755 "$QEMU_I386.part"
	mv "$QEMU_I386.part" "$QEMU_I386"
fi
flex --version >/dev/null && bison --version >/dev/null || die "the unpacked flex or bison does not run"

KSRC="$BUILD_DIR/linux-source-6.1"
if [[ "$MODE" == build && "${HYPERLAB_CLEAN:-0}" == 1 ]]; then
	log "cleaning $KSRC"
	rm -rf "$KSRC"
fi
if [[ ! -f "$KSRC/.hyperlab-src-$LINUX_SOURCE_VER" ]]; then
	log "extracting the kernel source"
	rm -rf "$KSRC"
	dpkg-deb --fsys-tarfile "$(deb_of linux-source-6.1)" |
		tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -C "$BUILD_DIR" -xJ
	touch "$KSRC/.hyperlab-src-$LINUX_SOURCE_VER"
fi

# ---- 3b. our one patch: an x86 kernel stored uncompressed --------------------------------------------
# (linux/uncompressed-x86.patch; see the README's kernel config choices)
if patch -d "$KSRC" -p1 -R --dry-run -s -f <"$PATCH" >/dev/null 2>&1; then
	echo "already applied: linux/uncompressed-x86.patch"
else
	log "applying linux/uncompressed-x86.patch"
	patch -d "$KSRC" -p1 -N <"$PATCH" || die "linux/uncompressed-x86.patch does not apply to linux-source-$LINUX_SOURCE_VER"
fi

# ---- 4. initramfs (gen_init_cpio list, sorted; all mtimes = KBUILD_BUILD_TIMESTAMP, owner root) ------
log "generating the initramfs list"
# BusyBox is i386; this machine's kernel may not run i386 programs, so qemu runs it, once
APPLETS=$("$QEMU_I386" "$BUSYBOX_BIN" --list-full | sort) || die "could not run the i386 BusyBox with qemu-i386-static"
[[ $(wc -l <<<"$APPLETS") -gt 100 ]] || die "BusyBox listed too few applets: $APPLETS"
# gen_init_cpio gives a "file" entry its source's mtime (KBUILD_BUILD_TIMESTAMP sets only the
# others'), and a checkout's mtimes are when it was made: stage the files with fixed mtimes.
STAGE="$BUILD_DIR/initramfs"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$INIT_SRC" "$STAGE/init"
cp "$BUSYBOX_BIN" "$STAGE/busybox"
cp -R "$ROOTFS_SRC" "$STAGE/rootfs"
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
LIST="$BUILD_DIR/initramfs.list"
{
	echo "# generated by images/build.sh"
	for d in /bin /sbin /usr /usr/bin /usr/sbin /etc /dev /proc /sys /tmp /root /mnt /mnt/host /var /var/run; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /init $STAGE/init 0755 0 0"
	echo "file /bin/busybox $STAGE/busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	# one link per applet, made here rather than by `busybox --install -s` at boot
	# (269 symlink calls cost the guest ~12 M instructions, a sixth of its boot)
	while read -r applet; do
		case "/$applet" in /bin/sh | /bin/busybox) continue ;; esac
		echo "slink /$applet /bin/busybox 0777 0 0"
	done <<<"$APPLETS"
	(cd "$ROOTFS_SRC" && find . -mindepth 1 | sort) | while read -r p; do
		p=${p#.}
		if [[ -d "$ROOTFS_SRC$p" ]]; then
			case "$p" in /etc | /usr | /usr/bin | /var) continue ;; esac
			echo "dir $p 0755 0 0"
		else
			if [[ -x "$ROOTFS_SRC$p" ]]; then mode=0755; else mode=0644; fi
			echo "file $p $STAGE/rootfs$p $mode 0 0"
		fi
	done
} >"$LIST"

# ---- 5. kernel config --------------------------------------------------------------------------------
log "configuring the kernel (tinyconfig + config.fragment)"
cd "$KSRC"
make ARCH=i386 tinyconfig >/dev/null
cat "$FRAGMENT" >>.config
echo "CONFIG_INITRAMFS_SOURCE=\"$LIST\"" >>.config
make ARCH=i386 olddefconfig >"$BUILD_DIR/olddefconfig.log" 2>&1 || {
	cat "$BUILD_DIR/olddefconfig.log" >&2
	die "olddefconfig failed"
}

bad=0
while read -r line; do
	grep -qxF "$line" .config || {
		echo "config: wanted '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" .config || echo unset)'" >&2
		bad=1
	}
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=y$' "$FRAGMENT")
while read -r sym; do
	if grep -qE "^$sym=" .config; then
		echo "config: wanted $sym off, got $(grep -E "^$sym=" .config)" >&2
		bad=1
	fi
done < <(sed -nE 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/p' "$FRAGMENT")
grep -qxF "CONFIG_INITRAMFS_SOURCE=\"$LIST\"" .config || {
	echo "config: INITRAMFS_SOURCE lost" >&2
	bad=1
}
[[ $bad == 0 ]] || die "kernel config does not match config.fragment (see above)"
echo "all $(grep -cE '^CONFIG_[A-Za-z0-9_]+=y$' "$FRAGMENT") required =y symbols present"

# ---- 6. kernel build ---------------------------------------------------------------------------------
log "building bzImage (make -j$JOBS)"
make ARCH=i386 -j"$JOBS" bzImage

# ---- 7. artifacts --------------------------------------------------------------------------------------
log "collecting the artifacts in $OUT_DIR"
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR/linux" "$OUT_DIR/bios"
cp arch/x86/boot/bzImage "$OUT_DIR/linux/bzImage"
size=$(stat -c %s "$OUT_DIR/linux/bzImage")
pad=$(((512 - size % 512) % 512))
((pad == 0)) || head -c "$pad" /dev/zero >>"$OUT_DIR/linux/bzImage"
cp "$SEABIOS_DIR/bios.bin" "$OUT_DIR/bios/bios.bin"
cp "$SEABIOS_DIR/vgabios-stdvga.bin" "$OUT_DIR/bios/vgabios-stdvga.bin"
chmod 644 "$OUT_DIR/linux/bzImage" "$OUT_DIR/bios/"*.bin
cp usr/initramfs_data.cpio "$BUILD_DIR/initramfs.cpio"
cd "$IMAGES_DIR"

fsize() { stat -c %s "$1"; }
fsha() { sha256sum "$1" | cut -d' ' -f1; }
TOOLCHAIN="$(gcc --version | head -1); $(ld --version | head -1)"

# the manifest's recorded sha256 of an artifact (by its path)
manifest_sha() {
	sed -nE "s|.*\"path\": \"$1\", \"size\": [0-9]+, \"sha256\": \"([0-9a-f]{64})\".*|\1|p" manifest.json | head -1
}
manifest_toolchain() { sed -nE 's|.*"toolchain": "(.*)",?$|\1|p' manifest.json | head -1; }

compare_host() {
	local after changed added
	after=$(host_packages)
	if [[ "$after" == "$HOST_BEFORE" ]]; then
		echo "host packages: unchanged ($(wc -l <<<"$after") packages, compared before and after)"
		return 0
	fi
	# packages of the host (by name) whose version or state changed, or that are gone
	changed=$(join -v1 -j1 <(echo "$HOST_BEFORE") <(echo "$after") | cut -d' ' -f1)
	changed+=$(join -j1 <(echo "$HOST_BEFORE") <(echo "$after") | awk '$2 != $4 || $3 != $5 { print "\n" $1 ": " $2 " " $3 " -> " $4 " " $5 }')
	added=$(join -v2 -j1 <(echo "$HOST_BEFORE") <(echo "$after") | cut -d' ' -f1,2 | tr '\n' ' ')
	if [[ -n "$added" ]]; then
		echo "host packages: added while this ran: $added"
		echo "  (this build installed: ${missing[*]:-nothing}; anything else was installed by someone else meanwhile)"
	fi
	if [[ -n "${changed//[$'\n ']/}" ]]; then
		echo "host packages: CHANGED OR REMOVED:$changed" >&2
		return 1
	fi
}

if [[ $MODE == check ]]; then
	log "comparing with images/manifest.json"
	differ=0
	for f in "${ARTIFACTS[@]}"; do
		want=$(manifest_sha "$f")
		got=$(fsha "$OUT_DIR/$f")
		if [[ "$got" == "$want" ]]; then
			printf '  identical  %-24s %s\n' "$f" "$got"
		else
			printf '  DIFFERS    %-24s built %s, manifest %s\n' "$f" "$got" "${want:-none}"
			differ=1
		fi
	done
	want=$(sed -nE 's|.*"initramfs": \{ "in": "linux/bzImage", "size": [0-9]+, "sha256": "([0-9a-f]{64})".*|\1|p' manifest.json)
	got=$(fsha "$BUILD_DIR/initramfs.cpio")
	if [[ "$got" == "$want" ]]; then
		printf '  identical  %-24s %s\n' "initramfs (in bzImage)" "$got"
	else
		printf '  DIFFERS    %-24s built %s, manifest %s\n' "initramfs (in bzImage)" "$got" "${want:-none}"
		differ=1
	fi
	grep -q '"readySnapshots"' manifest.json &&
		echo "  not compared: the ready snapshots (linux/ready/*.hlsnap), which are not reproducible (see their \"reproducible\" field)"
	if [[ $differ == 1 && "$(manifest_toolchain)" != "$TOOLCHAIN" ]]; then
		echo "  the manifest was built with: $(manifest_toolchain)"
		echo "  this host has:               $TOOLCHAIN"
	fi
	host_ok=0
	compare_host || host_ok=1
	echo "checked in $(($(date +%s) - start)) s"
	if [[ $differ == 0 && $host_ok == 0 ]]; then
		echo "build.sh --check: every artifact is identical to images/manifest.json"
		exit 0
	fi
	[[ $differ == 0 ]] || echo "build.sh --check: some artifacts differ (above)" >&2
	exit 1
fi

# ---- 8. build mode: put the artifacts in place, write the manifest -------------------------------------------
for f in "${ARTIFACTS[@]}"; do cp "$OUT_DIR/$f" "$IMAGES_DIR/$f"; done

fentry() { # key path
	printf '        "%s": { "path": "%s", "size": %s, "sha256": "%s" }' "$1" "$2" "$(fsize "$2")" "$(fsha "$2")"
}
debentry() { # name
	local deb
	deb=$(deb_of "$1")
	printf '"%s": "%s"' "${deb##*/}" "$(fsha "$deb")"
}

# Keep the "readySnapshots" block that images/make-snapshot.mjs adds. Snapshots of an
# older bzImage are refused at launch (the guest cold-boots), so re-run
# `node images/make-snapshot.mjs` after a kernel/initramfs rebuild to refresh them.
ready_block=""
if [[ -f "$IMAGES_DIR/manifest.json" ]]; then
	ready_block=$(sed -n '/^[[:space:]]*"readySnapshots": \[/,/^[[:space:]]*\],$/p' "$IMAGES_DIR/manifest.json")
fi
[[ -n "$ready_block" ]] && ready_block+=$'\n'

cat >"$IMAGES_DIR/manifest.json" <<JSON
{
  "version": 1,
  "images": [
    {
      "id": "linux",
      "title": "Tiny Linux 6.1 (i386, BusyBox)",
      "description": "Minimal Linux 6.1 kernel with an embedded BusyBox initramfs that gives root shells on ttyS0 and virtio-console hvc0, with ne2k-pci/virtio-net networking (DHCP at boot), virtio-blk, ATA/ISO9660 and 9p host-share support.",
      "kind": "bzimage",
      "files": {
$(fentry bzimage linux/bzImage),
$(fentry bios bios/bios.bin),
$(fentry vgaBios bios/vgabios-stdvga.bin)
      },
      "minMemoryMiB": 32,
      "defaultMemoryMiB": 32,
      "cmdline": "$CMDLINE",
      "readyMarker": "hyperlab: ready",
      "prompt": "# ",
      "cursorQuery": true,
${ready_block}      "drivers": ["8250", "vga-console", "ne2k-pci", "virtio-pci", "virtio-console", "virtio-net", "virtio-balloon", "virtio-blk", "9p-virtio", "ata-piix", "iso9660"],
      "sources": { "linux-source-6.1": "$LINUX_SOURCE_VER", "busybox-static:i386": "$BUSYBOX_VER", "seabios": "$SEABIOS_VER" },
      "build": {
        "reproducible": true,
        "initramfs": { "in": "linux/bzImage", "size": $(fsize "$BUILD_DIR/initramfs.cpio"), "sha256": "$(fsha "$BUILD_DIR/initramfs.cpio")" },
        "debs": { $(debentry seabios), $(debentry linux-source-6.1), $(debentry busybox-static) },
        "toolchain": "$TOOLCHAIN"
      }
    }
  ]
}
JSON

node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$IMAGES_DIR/manifest.json" 2>/dev/null ||
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$IMAGES_DIR/manifest.json" ||
	die "manifest.json is not valid JSON"
[[ -z "$ready_block" ]] ||
	echo "kept readySnapshots in manifest.json; run \`node images/make-snapshot.mjs\` to remake them for this bzImage"
compare_host || die "the build changed the host's packages (above)"
log "done in $(($(date +%s) - start)) s"
for f in "${ARTIFACTS[@]}"; do printf '  %-28s %9s bytes  %s\n' "$f" "$(fsize "$f")" "$(fsha "$f")"; done
printf '  %-28s %9s bytes  %s\n' "initramfs (in bzImage)" "$(fsize "$BUILD_DIR/initramfs.cpio")" "$(fsha "$BUILD_DIR/initramfs.cpio")"
