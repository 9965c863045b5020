/* Allocators of another translation unit for e2e/allocators.c (compiled
 * and linked with it: run.sh sources). Differentiated code sees only their
 * declarations; what they are is said there (CT_ALLOCATOR,
 * __attribute__((malloc, alloc_size)), __enzyme_allocation_like). Each
 * counts its live blocks, so the test can check that the gradient frees
 * what the function frees, with the right deallocator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

long allocators_live;

/* a counting allocator with a header in front of the block: free() on its
 * blocks would crash, only pool_delete frees them */
typedef struct {
  uint64_t magic, count;
} header;

double *pool_new(long n) {
  header *h = malloc(sizeof(header) + (size_t)n * sizeof(double));
  if (!h)
    return NULL;
  h->magic = 0x706f6f6cu;
  h->count = (uint64_t)n;
  ++allocators_live;
  return (double *)(h + 1);
}

void pool_delete(double *p) {
  if (!p)
    return;
  header *h = (header *)p - 1;
  if (h->magic != 0x706f6f6cu)
    abort();
  h->magic = 0;
  --allocators_live;
  free(h);
}

/* a plain wrapper, declared __attribute__((malloc, alloc_size(1))); its
 * blocks are freed with free() */
void *raw_alloc(size_t bytes) { return malloc(bytes); }

/* tagged blocks (Enzyme's convention names it): the deallocator takes the
 * tag too */
void *tagged_alloc(const char *tag, size_t bytes) {
  char *p = malloc(bytes + 16);
  if (!p)
    return NULL;
  strncpy(p, tag, 15);
  p[15] = 0;
  ++allocators_live;
  return p + 16;
}

void tagged_free(const char *tag, void *q) {
  char *p = (char *)q - 16;
  if (strncmp(p, tag, 15))
    abort();
  --allocators_live;
  free(p);
}
