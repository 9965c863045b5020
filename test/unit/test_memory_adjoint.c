/*
 * Unit tests for the host runtime's copy adjoints of mixed layouts
 * (lib/memory_adjoint.c, __ct_copy_adjoint_fields and its atomic
 * variant): fields of whole and partial elements, overlap both ways, a
 * constant source, integers left alone (copy_fields_check.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime.h"

#include "copy_fields_check.h"

static void test_copy_fields(void **state) {
  (void)state;
  assert_true(check_copy_fields_all(__ct_copy_adjoint_fields, 1));
  assert_true(check_copy_fields_all(__ct_copy_adjoint_fields_atomic, 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_copy_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
