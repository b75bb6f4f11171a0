/* Functions that -O2 inlines into a caller of the same file and also emits
   out of line (they are external). clang puts the out-of-line DIE
   (DW_AT_abstract_origin, no DW_AT_type, parameters without types) before
   the abstract DIE that has the types. */
struct task {
  int pid;
  struct task *parent;
};
struct task tasks[4];
int idx;

struct task *current_task(void) { return &tasks[idx]; }

long task_pid(struct task *t, const char *why, int add) {
  idx += add + why[0];
  return t->pid + add;
}

int caller(void) {
  return current_task()->pid + task_pid(current_task(), "x", 3);
}
