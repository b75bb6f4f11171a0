/* Per-CPU variables; linked by percpu.lds with .data..percpu at address 0,
   as x86-64 vmlinux links it: first_var sits at address 0 (the kernel's
   DEFINE_PER_CPU_FIRST fixed_percpu_data). pahole 1.24 skips a per-CPU
   symbol at address 0; 1.28+ keeps a variable there when an STT_OBJECT of its
   name is in the section. */
struct counters {
  long hits, misses;
};
__attribute__((section(".data..percpu"), used)) struct counters first_var;
__attribute__((section(".data..percpu"), used)) int second_var = 1;
static __attribute__((section(".data..percpu"), used)) char third_var[24];

int _start(void) { return second_var + third_var[0]; }
