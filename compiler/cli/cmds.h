/* The saker subcommands; main.c dispatches to them. Each returns the process exit status:
 * 0 success, 1 the input has errors, 2 usage, I/O or internal failure. */
#ifndef SK_CMDS_H
#define SK_CMDS_H

int cmd_check(int argc, char **argv);   /* cmd_check.c */
int cmd_compile(int argc, char **argv); /* cmd_compile.c */
int cmd_explain(int argc, char **argv); /* cmd_explain.c */
int cmd_inspect(int argc, char **argv); /* cmd_inspect.c */
int cmd_keygen(int argc, char **argv);  /* cmd_keygen.c */
int cmd_parse(int argc, char **argv);   /* cmd_parse.c */
int cmd_run(int argc, char **argv);     /* cmd_run.c */

#endif
