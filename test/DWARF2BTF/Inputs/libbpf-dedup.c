/* Test oracle only: deduplicate raw BTF with libbpf's btf__dedup so that the
 * encoder's output can be compared with pahole's before lib/Dedup exists.
 * Usage: libbpf-dedup IN OUT [BASE] */
#include <bpf/btf.h>
#include <stdio.h>

int main(int argc, char **argv) {
  struct btf *base = NULL, *btf;
  const void *data;
  __u32 size;
  FILE *f;

  if (argc < 3)
    return 2;
  if (argc > 3 && !(base = btf__parse(argv[3], NULL)))
    return 1;
  btf = base ? btf__parse_raw_split(argv[1], base) : btf__parse_raw(argv[1]);
  if (!btf || btf__dedup(btf, NULL))
    return 1;
  data = btf__raw_data(btf, &size);
  if (!(f = fopen(argv[2], "wb")) || fwrite(data, 1, size, f) != size)
    return 1;
  return fclose(f) != 0;
}
