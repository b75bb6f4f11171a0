// SPDX-License-Identifier: GPL-2.0
// The BPF program of utils/clang-kernel.sh, compiled with
//   clang-22 -target bpf -O2 -g -D__TARGET_ARCH_x86 -I DIR -c
//   clang-kernel-bpf.c
// against the vmlinux.h that bpftool dumped from /sys/kernel/btf/vmlinux in
// the booted kernel. It uses the kernel's BTF as BPF users do: fentry/fexit
// on a kernel function (vfs_read) and fentry on a module function
// (binfmt_misc's load_misc_binary, tried for every exec), kernel structs read
// through CO-RE relocations and a kfunc (bpf_task_from_pid). Results go to
// one array map. (A per-CPU variable as a typed ksym, e.g. runqueues, would
// need CONFIG_KALLSYMS_ALL: the verifier looks its address up in kallsyms.)
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct clang_kernel_stats {
  __u64 vfs_reads;
  __s64 last_read_ret;
  __u64 misc_calls;
  __u32 reader_tgid;
  __u32 init_pid;
  char reader_comm[16];
  char last_file[32];
  char last_exec[32];
  char init_comm[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct clang_kernel_stats);
} clang_kernel_st SEC(".maps");

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

static struct clang_kernel_stats *stats(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&clang_kernel_st, &zero);
}

SEC("fentry/vfs_read")
int BPF_PROG(on_vfs_read, struct file *file, char *buf, size_t count,
             loff_t *pos) {
  struct clang_kernel_stats *s = stats();
  struct task_struct *task = bpf_get_current_task_btf();
  const unsigned char *name;
  struct dentry *dentry;

  if (!s)
    return 0;
  __sync_fetch_and_add(&s->vfs_reads, 1);
  // CO-RE: file->f_path.dentry->d_name.name, relocated field by field.
  if (!bpf_core_read(&dentry, sizeof(dentry), &file->f_path.dentry) &&
      !bpf_core_read(&name, sizeof(name), &dentry->d_name.name))
    bpf_probe_read_kernel_str(s->last_file, sizeof(s->last_file), name);
  // A BTF-typed pointer: task->tgid is a direct, relocated load.
  s->reader_tgid = task->tgid;
  bpf_get_current_comm(s->reader_comm, sizeof(s->reader_comm));
  return 0;
}

SEC("fexit/vfs_read")
int BPF_PROG(on_vfs_read_exit, struct file *file, char *buf, size_t count,
             loff_t *pos, ssize_t ret) {
  struct clang_kernel_stats *s = stats();

  if (s)
    s->last_read_ret = ret;
  return 0;
}

SEC("fentry/load_misc_binary")
int BPF_PROG(on_load_misc_binary, struct linux_binprm *bprm) {
  struct clang_kernel_stats *s = stats();
  struct task_struct *init;

  if (!s)
    return 0;
  __sync_fetch_and_add(&s->misc_calls, 1);
  bpf_probe_read_kernel_str(s->last_exec, sizeof(s->last_exec),
                            BPF_CORE_READ(bprm, filename));
  // A kfunc: acquire the task of PID 1, read it, release it.
  init = bpf_task_from_pid(1);
  if (init) {
    s->init_pid = init->pid;
    bpf_probe_read_kernel_str(s->init_comm, sizeof(s->init_comm), init->comm);
    bpf_task_release(init);
  }
  return 0;
}
