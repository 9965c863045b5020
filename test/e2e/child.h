/* Shared helper of the e2e tests that expect a program to stop: runs a
 * function in a forked child with its stderr captured, and checks that the
 * child stopped (non-zero exit, or abort) with an expected message.
 *
 *   check_child_stops(what, fn, arg, expect, need_abort)
 *     fn(arg) runs in the child; the check fails unless the child aborted
 *     (need_abort) or exited non-zero / aborted (!need_abort), and its
 *     stderr contains `expect`. Include after check.h. */
#ifndef COTANGENT_TEST_E2E_CHILD_H
#define COTANGENT_TEST_E2E_CHILD_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void check_child_stops(const char *what, void (*fn)(void *), void *arg, const char *expect,
                              int need_abort) {
  int fds[2];
  if (pipe(fds) != 0) {
    CHECK(!"pipe");
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    fn(arg);
    _exit(0); /* survived: the check below fails */
  }
  close(fds[1]);
  char buf[4096] = "";
  size_t got = 0;
  ssize_t r;
  while (got < sizeof buf - 1 && (r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)r;
  buf[got] = 0;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  int aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  int stopped = need_abort ? aborted : WIFSIGNALED(status) ? aborted : WEXITSTATUS(status) != 0;
  int said = strstr(buf, expect) != NULL;
  if (!stopped || !said)
    fprintf(stderr, "%s: want %s with \"%s\", got status %d, stderr:\n%s\n", what,
            need_abort ? "an abort" : "a non-zero exit", expect, status, buf);
  CHECK(stopped && said);
}

#endif
