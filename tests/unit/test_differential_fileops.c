/* saker-test-lib: saker_driver */
/* The differential test (test_differential.c) on the file, cred and sys families: rules on
 * their argument fields and on the capability sets, and generated calls of every syscall they
 * capture (links, renames, unlinks, mkdir, rmdir, chmod and chown forms, id changes and mounts
 * in children, memfd_create, bpf, module loads), some in children without CAP_SYS_ADMIN: for
 * every event that reaches user space each rule's kernel bit must equal the evaluator of
 * reference on its kernel part, and no event a whole rule matches may be dropped. */
#define SAKER_DIFF_FILEOPS 1
#include "test_differential.c"
