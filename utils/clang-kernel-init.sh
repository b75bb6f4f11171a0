#!/bin/busybox sh
# /init of the initramfs that utils/clang-kernel.sh boots: load every module,
# show the BTF the kernel accepted, then, by the kernel command line,
# clang_kernel=dump: print vmlinux.h (bpftool btf dump ... format c) gzipped
#                    and base64-encoded between markers on the console;
# clang_kernel=bpf:  load and attach /bpf/prog.o with bpftool and show what it
#                    recorded.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf
echo "clang-kernel: booted $(uname -r) in $(cut -d' ' -f1 /proc/uptime) s"

# Load the modules; one that needs another is tried again in the next round.
left="$(ls /modules/*.ko)"
for round in 1 2 3 4 5 6; do
  next=""
  for m in $left; do
    insmod "$m" >/dev/null 2>&1 || next="$next $m"
  done
  left="$next"
  [ -z "$left" ] && break
done
echo "clang-kernel: modules: $(ls /modules | wc -l) files, $(wc -l </proc/modules) loaded, not loaded:${left:- none}"
echo "clang-kernel: /sys/kernel/btf: $(ls /sys/kernel/btf | wc -l) entries: $(ls /sys/kernel/btf | tr '\n' ' ')"
for f in /sys/kernel/btf/*; do
  echo "clang-kernel: btf $(basename "$f") $(wc -c <"$f") bytes"
done
echo "clang-kernel: dmesg lines about BTF: $(dmesg | grep -ci btf)"
dmesg | grep -i 'btf' | sed 's/^/clang-kernel: dmesg: /'
bad=$(dmesg | grep -c 'failed to validate module BTF')
echo "clang-kernel: 'failed to validate module BTF' lines: $bad"

# Keep kernel messages off the console from here: the outputs below are
# read back from it.
echo 1 >/proc/sys/kernel/printk
case "$(cat /proc/cmdline)" in
*clang_kernel=dump*)
  bpftool btf dump file /sys/kernel/btf/vmlinux format c >/tmp/vmlinux.h
  echo "clang-kernel: vmlinux.h $(wc -l </tmp/vmlinux.h) lines"
  echo "clang-kernel: vmlinux.h sha256 $(sha256sum /tmp/vmlinux.h | cut -d' ' -f1)"
  echo "----- vmlinux.h begin"
  gzip -9 -c /tmp/vmlinux.h | base64
  echo "----- vmlinux.h end"
  ;;
*clang_kernel=bpf*)
  echo "----- bpf begin"
  if bpftool prog loadall /bpf/prog.o /sys/fs/bpf/p autoattach; then
    bpftool prog show | grep -A1 'tracing'
    bpftool link show
    # Work for the programs: reads (vfs_read) and execs (binfmt_misc's
    # load_misc_binary, tried for every exec).
    for i in 1 2 3; do cat /proc/version >/dev/null; /bin/true; done
    # The map by ID: libbpf gives no names to objects when its name probe
    # (a socket filter program) fails, as without CONFIG_NET.
    bpftool map show
    id=$(bpftool map show | sed -n 's/^\([0-9]*\): array .*/\1/p' | head -n 1)
    bpftool map dump id "$id" >/tmp/map.txt 2>&1
    cat /tmp/map.txt
    ok=$(grep -c '"misc_calls": [1-9]' /tmp/map.txt)
  else
    ok=0
    # What libbpf said.
    bpftool -d prog loadall /bpf/prog.o /sys/fs/bpf/q autoattach 2>&1 | tail -n 40
  fi
  echo "----- bpf end"
  [ "$ok" -gt 0 ] && echo "clang-kernel: bpf ok" || echo "clang-kernel: bpf FAILED"
  ;;
esac
echo "clang-kernel: done at $(cut -d' ' -f1 /proc/uptime) s"
# No ACPI in this kernel: power off is not available; qemu runs with
# -no-reboot, so a reboot ends it.
reboot -f
