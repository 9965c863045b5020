#include "long_names.h"
#include <math.h>
double NAME(cube)(double x) { return x * x * x; }
double NAME(sine)(double x) { return sin(x); }
