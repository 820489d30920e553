/* The few kernel types the templates read, declared by hand with only the members used.
 * preserve_access_index makes every access a CO-RE relocation that libbpf resolves against the
 * running kernel's BTF at load, so member order and offsets here do not matter. */
#ifndef SAKER_KERNEL_H
#define SAKER_KERNEL_H

/* Stand-in guard so include/saker/event.h does not pull <linux/types.h> (host headers have no
 * place in a BPF object). */
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

/* UAPI constants (include/uapi/linux/bpf.h, stable values). */
#define BPF_MAP_TYPE_HASH         1
#define BPF_MAP_TYPE_PROG_ARRAY   3
#define BPF_MAP_TYPE_ARRAY        2
#define BPF_MAP_TYPE_PERCPU_ARRAY 6
#define BPF_MAP_TYPE_RINGBUF      27
#define BPF_MAP_TYPE_LRU_HASH     9
#define BPF_MAP_TYPE_TASK_STORAGE 29
#define BPF_F_NO_PREALLOC         1
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1
#define BPF_ANY                   0

#define SK_CORE __attribute__((preserve_access_index))

/* x86-64 registers as saved at syscall entry; orig_ax is the syscall number. A native call
 * passes its arguments in di, si, dx, r10, r8, r9; an i386 (compat) one in bx, cx, dx, si, di,
 * bp, 32 bits each. */
struct pt_regs {
	unsigned long bx;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long bp;
	unsigned long r10;
	unsigned long r8;
	unsigned long r9;
	unsigned long orig_ax;
	unsigned long sp;
} SK_CORE;

/* x86's thread-synchronous status: TS_COMPAT is set while a syscall that came through the i386
 * entry runs (in_ia32_syscall()), and cleared on the way back to user space, after the sys_exit
 * tracepoint. */
struct thread_info {
	__u32 status;
} SK_CORE;
#define SK_TS_COMPAT 0x0002

typedef struct {
	__u32 val;
} SK_CORE kuid_t;

typedef struct {
	__u32 val;
} SK_CORE kgid_t;

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
} SK_CORE;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
} SK_CORE;

struct super_block {
	unsigned long s_magic;
	__u32 s_dev; /* dev_t: major << 20 | minor */
} SK_CORE;
#define SK_OVERLAYFS_MAGIC 0x794c7630

struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
	struct super_block *i_sb;
	union {
		const unsigned int i_nlink;
		unsigned int __i_nlink;
	};
} SK_CORE;

struct vfsmount {
	struct dentry *mnt_root;
} SK_CORE;

/* The kernel-private wrapper around a vfsmount (fs/mount.h). */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} SK_CORE;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} SK_CORE;

/* Newer kernels put f_path in an anonymous union; libbpf finds it there too. */
struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_mode; /* fmode_t */
	unsigned int f_flags;
} SK_CORE;

/* The file's reference count: f_count (an atomic_long_t, the count) up to 6.12, f_ref (a
 * file_ref_t, the count less one) since 6.13. Both are probed. */
struct sk_counter {
	long counter;
} SK_CORE;

struct file___old {
	struct sk_counter f_count;
} SK_CORE;

struct sk_file_ref {
	struct sk_counter refcnt;
} SK_CORE;

struct file___new {
	struct sk_file_ref f_ref;
} SK_CORE;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} SK_CORE;

/* next_fd: where the next descriptor search starts; alloc_fd() leaves it one past the descriptor
 * it just reserved. */
struct files_struct {
	struct fdtable *fdt;
	unsigned int next_fd;
} SK_CORE;

struct fs_struct {
	struct path root;
	struct path pwd;
} SK_CORE;

struct mm_struct {
	struct file *exe_file;
	unsigned long arg_start, arg_end;
	unsigned long start_stack;
} SK_CORE;

struct tty_driver {
	int major;
	int minor_start;
} SK_CORE;

struct tty_struct {
	struct tty_driver *driver;
	int index;
} SK_CORE;

#define SK_PIDTYPE_SID 3 /* enum pid_type: PID, TGID, PGID, SID */
struct signal_struct {
	struct tty_struct *tty;
	struct pid *pids[4];
} SK_CORE;

/* A capability set: struct { u64 val; } since Linux 6.3, struct { u32 cap[2]; } before; the
 * same 8 bytes either way, read through the field's relocated offset (core.bpf.c). */
typedef struct {
	__u64 val;
} kernel_cap_t;

struct cred {
	kuid_t euid;
	kgid_t egid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
} SK_CORE;

struct kernfs_node {
	const char *name;
} SK_CORE;

/* An exec being prepared (lsm/bprm_creds_from_file): the final executable (the interpreter of
 * a script), the credentials it will run with, and the name it was called by. */
struct linux_binprm {
	struct file *file;
	struct cred *cred;
	const char *filename;
} SK_CORE;
/* Since 6.14 an exec of a descriptor (execveat with AT_EMPTY_PATH) names the process after the
 * file rather than after "/dev/fd/N". */
struct linux_binprm___comm {
	unsigned int comm_from_dentry : 1;
} SK_CORE;

/* kernfs_node's parent link was renamed in Linux 6.15; both spellings are probed. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} SK_CORE;

struct kernfs_node___old {
	struct kernfs_node *parent;
} SK_CORE;

struct cgroup {
	struct kernfs_node *kn;
} SK_CORE;

struct css_set {
	struct cgroup *dfl_cgrp;
} SK_CORE;

struct upid {
	int nr;
	void *ns; /* struct pid_namespace * */
} SK_CORE;

struct ns_common {
	unsigned int inum;
} SK_CORE;

struct pid_namespace {
	struct ns_common ns;
} SK_CORE;

struct pid {
	unsigned int level;
	struct upid numbers[1]; /* level + 1 of them, [0] the host's */
} SK_CORE;

#define SK_PF_IO_WORKER 0x00000010 /* task->flags: an io_uring worker (io-wq or SQPOLL) */
#define SK_PF_KTHREAD   0x00200000 /* task->flags: a kernel thread */
struct task_struct {
	struct thread_info thread_info;
	unsigned int flags;
	int pid;
	int tgid;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	char comm[16];
	struct task_struct *real_parent;
	const struct cred *cred;
	struct files_struct *files;
	struct fs_struct *fs;
	struct mm_struct *mm;
	struct css_set *cgroups;
	kuid_t loginuid;
	struct signal_struct *signal;
	__u64 start_boottime;
} SK_CORE;

/* openat2(2)'s argument, read from user memory (a stable UAPI layout, not relocated). */
struct open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* io_uring (docs/kernel.md, "io_uring"). A request: its operation's own state is at its start
 * (io_kiocb_to_cmd), its result in cqe.res. The submitting task is req->task up to 6.12 and
 * req->tctx->task from 6.13 on; both are probed. */
struct io_cqe {
	__u64 user_data;
	__s32 res;
} SK_CORE;

struct io_uring_task {
	struct task_struct *task;
} SK_CORE;

/* The ring's fixed files (io_uring/filetable.h): up to 6.12 an array of struct io_fixed_file
 * (file_ptr: the file, flags in its low bits), since 6.13 an array of resource nodes holding the
 * same file_ptr. Both are probed. */
struct io_fixed_file {
	unsigned long file_ptr;
} SK_CORE;

struct io_rsrc_node {
	unsigned long file_ptr;
} SK_CORE;

struct io_rsrc_data {
	unsigned int nr;
	struct io_rsrc_node **nodes;
} SK_CORE;

struct io_file_table {
	struct io_rsrc_data data;
} SK_CORE;

struct io_file_table___old {
	struct io_fixed_file *files;
} SK_CORE;

struct io_ring_ctx {
	struct io_file_table file_table;
	unsigned int compat : 1; /* the ring was set up by an i386 process: its msghdrs are
				  * struct compat_msghdr */
} SK_CORE;

struct io_ring_ctx___old {
	struct io_file_table___old file_table;
	unsigned int nr_user_files;
} SK_CORE;

struct io_kiocb {
	__u8 opcode;
	unsigned int flags; /* a u64 since 6.10: only its low bits are read */
	struct io_cqe cqe;
	struct io_uring_task *tctx;
	struct io_ring_ctx *ctx;
} SK_CORE;

struct io_kiocb___old {
	struct task_struct *task;
} SK_CORE;

struct filename {
	const char *name;
} SK_CORE;

/* IORING_OP_CONNECT's state (io_uring/net.c): the socket's file and the caller's address. */
struct io_connect {
	struct file *file;
	void *addr; /* struct sockaddr __user * */
	int addr_len;
} SK_CORE;

/* IORING_OP_SOCKET's state (io_uring/net.c, 5.19 on): socket(2)'s arguments (TYPE with its
 * SOCK_CLOEXEC / SOCK_NONBLOCK bits, as the syscall takes it) and the fixed-file slot the socket
 * goes to, 1-based, 0 for a descriptor. */
struct io_socket {
	struct file *file;
	int domain;
	int type;
	int protocol;
	__u32 file_slot;
} SK_CORE;

/* IORING_OP_ACCEPT's: the listening socket's file, accept4(2)'s other arguments, and the slot
 * as io_socket's. */
struct io_accept {
	struct file *file;
	void *addr;     /* struct sockaddr __user * */
	int *addr_len;  /* int __user * */
	int flags;
	__u32 file_slot;
} SK_CORE;

/* IORING_OP_SENDMSG and IORING_OP_SEND's (one struct, io_sr_msg): the socket's file, then a
 * union of the caller's struct msghdr (user memory; struct compat_msghdr for a compat ring) and
 * the send's buffer. */
struct io_sr_msg {
	struct file *file;
	void *umsg;
	int len;
	unsigned int msg_flags;
} SK_CORE;

/* IORING_OP_OPENAT and IORING_OP_OPENAT2's state (io_uring/openclose.c). */
struct io_open {
	struct file *file;
	int dfd;
	__u32 file_slot;
	struct filename *filename;
	struct open_how how;
} SK_CORE;

#endif
