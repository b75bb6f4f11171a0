#include "kernel.h"

union mod2_value {
  long l;
  double d;
};

long mod2_helper(union mod2_value *v);

long mod2_init(void) {
  union mod2_value v = {.l = init_task.pid};
  return mod2_helper(&v);
}
