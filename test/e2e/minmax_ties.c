/* Ties of max and min (minmax_ties.h) at the default floating-point
 * options: the selects and fmax/fmin calls as written. */
#include "minmax_ties.h"

int main(void) { return minmax_ties_run("minmax_ties"); }
