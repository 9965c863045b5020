// A thread created inside the differentiated function to compute part of
// the result: pthread_create has no derivative (the thread's function is
// called by libc); an error at the call, not a silently missing part.
// FLAGS: -pthread
// EXPECT: error @create "call to 'pthread_create' has no derivative"
#include <cotangent.h>
#include <pthread.h>

typedef struct { const double *x; double out; } job;

static void *square_first(void *p) {
  job *j = p;
  j->out = j->x[0] * j->x[0];
  return NULL;
}

static double f(const double *x) {
  job j = {x, 0};
  pthread_t t;
  pthread_create(&t, NULL, square_first, &j); /*@create*/
  pthread_join(t, NULL);
  return j.out + x[1];
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx); }
