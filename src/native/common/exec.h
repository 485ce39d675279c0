/* The final execve, with Docker's lookup rules and error messages (SPEC.md). */
#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H

#include "error.h"

/* PATH when the environment has none (Docker's default). */
#define BERTH_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Executes argv[0] with exactly `envp`. A name without a slash is looked up in
 * envp's PATH like Go's exec.LookPath (runc's): the first regular file there
 * that is executable. Returns only on failure:
 *   127  exec: "nosuch": executable file not found in $PATH
 *   127  exec: "/nosuch": stat /nosuch: no such file or directory
 *   126  exec: "/etc": permission denied   (a directory, or not executable)
 *   126  exec: "/bin/x": exec format error (any other execve failure, in Go's lowercase wording)
 */
int exec_command(char *const argv[], char *const envp[], struct berth_error *err);

#endif
