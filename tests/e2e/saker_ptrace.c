/* saker_ptrace: the ptrace calls test_falco_ptrace.sh needs, each on a child of its own.
 *   attach     PTRACE_ATTACH to a child, then PTRACE_DETACH (Falco: "PTRACE attached to process")
 *   traceme    a child asks to be traced, PTRACE_TRACEME (Falco: "PTRACE anti-debug attempt")
 *   peek       PTRACE_PEEKDATA of a child not traced: a request neither rule names (fails)
 * Exits 0 when the calls were made as described. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child(void)
{
	pid_t p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	return p;
}

int main(int argc, char **argv)
{
	int st, rc = 0;
	if (argc != 2)
		return 2;
	if (!strcmp(argv[1], "attach")) {
		pid_t p = child();
		if (p < 0 || ptrace(PTRACE_ATTACH, p, 0, 0) || waitpid(p, &st, 0) != p ||
		    ptrace(PTRACE_DETACH, p, 0, 0))
			rc = 1;
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	} else if (!strcmp(argv[1], "traceme")) {
		pid_t p = fork();
		if (p == 0)
			_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) ? 1 : 0);
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	} else if (!strcmp(argv[1], "peek")) {
		pid_t p = child();
		errno = 0;
		/* not traced: ESRCH, and no request either rule looks for */
		if (p < 0 || ptrace(PTRACE_PEEKDATA, p, 0, 0) != -1 || errno != ESRCH)
			rc = 1;
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	} else {
		return 2;
	}
	return rc;
}
