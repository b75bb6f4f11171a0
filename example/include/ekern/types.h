/* types.h - basic types of the example kernel (like include/linux/types.h). */
#ifndef EKERN_TYPES_H
#define EKERN_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef _Bool bool;
typedef unsigned long size_t;
typedef long ssize_t;
typedef u64 phys_addr_t;
typedef u32 __attribute__((aligned(8))) aligned_u32;

#define true 1
#define false 0
#define NULL ((void *)0)

/* Per-CPU variables live in .data..percpu, as in the kernel. */
#define DEFINE_PER_CPU(type, name)                                             \
  __attribute__((section(".data..percpu"))) __typeof__(type) name

/* Kernel-style annotations: BTF type and declaration tags under clang. */
#if defined(__clang__)
#define __user __attribute__((btf_type_tag("user")))
#define __tagged(x) __attribute__((btf_decl_tag(x)))
#else
#define __user
#define __tagged(x)
#endif

#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __noinline __attribute__((noinline))
#define __used __attribute__((used))

typedef struct {
  int counter;
} atomic_t;

typedef struct {
  s64 counter;
} atomic64_t;

struct list_head {
  struct list_head *next, *prev;
};

struct hlist_node {
  struct hlist_node *next, **pprev;
};

#endif
