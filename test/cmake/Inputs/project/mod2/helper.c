#include "kernel.h"

union mod2_value {
  long l;
  double d;
};

long mod2_helper(union mod2_value *v) { return v->l * 2; }
