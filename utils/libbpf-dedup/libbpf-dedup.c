/*===- libbpf-dedup.c - Run libbpf's btf__dedup() on a BTF file ----------===*
 *
 * Part of llvm-btf-split. A test-only oracle, never linked into the product:
 * reads BTF (raw, or the .BTF of an ELF file), split on BASE when given,
 * deduplicates it with the system libbpf and writes the result as raw BTF.
 *
 *   libbpf-dedup [--base BASE] [--time] INPUT OUTPUT
 *
 * --time prints the wall-clock time of btf__dedup() alone to stderr.
 *===----------------------------------------------------------------------===*/

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void) {
  fprintf(stderr, "usage: libbpf-dedup [--base BASE] [--time] INPUT OUTPUT\n");
  return 2;
}

static double now(void) {
  struct timespec Ts;
  clock_gettime(CLOCK_MONOTONIC, &Ts);
  return Ts.tv_sec + Ts.tv_nsec / 1e9;
}

int main(int Argc, char **Argv) {
  const char *BasePath = NULL, *In = NULL, *Out = NULL;
  int Time = 0;
  for (int I = 1; I < Argc; ++I) {
    if (!strcmp(Argv[I], "--base") && I + 1 < Argc)
      BasePath = Argv[++I];
    else if (!strcmp(Argv[I], "--time"))
      Time = 1;
    else if (!In)
      In = Argv[I];
    else if (!Out)
      Out = Argv[I];
    else
      return usage();
  }
  if (!In || !Out)
    return usage();

  struct btf *Base = NULL;
  if (BasePath) {
    Base = btf__parse(BasePath, NULL);
    if (!Base) {
      fprintf(stderr, "libbpf-dedup: %s: %s\n", BasePath, strerror(errno));
      return 1;
    }
  }
  struct btf *Btf = btf__parse_split(In, Base);
  if (!Btf) {
    fprintf(stderr, "libbpf-dedup: %s: %s\n", In, strerror(errno));
    return 1;
  }
  double Start = now();
  int Err = btf__dedup(Btf, NULL);
  double End = now();
  if (Err) {
    fprintf(stderr, "libbpf-dedup: %s: btf__dedup failed: %s\n", In,
            strerror(-Err));
    return 1;
  }
  if (Time)
    fprintf(stderr, "btf__dedup: %.3f s\n", End - Start);

  __u32 Size;
  const void *Data = btf__raw_data(Btf, &Size);
  FILE *F = fopen(Out, "wb");
  if (!F || fwrite(Data, 1, Size, F) != Size || fclose(F)) {
    fprintf(stderr, "libbpf-dedup: %s: %s\n", Out, strerror(errno));
    return 1;
  }
  btf__free(Btf);
  btf__free(Base);
  return 0;
}
