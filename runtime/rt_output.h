/* Alert outputs (rt_output.c): stdout, a file, syslog, a program's stdin, an HTTP(S) endpoint.
 * Each output has a bounded queue drained by its own thread, so a slow or dead receiver never
 * blocks the ring buffer consumer or the other outputs: a full queue drops the alert for that
 * output only, and the drop is counted. */
#ifndef SAKER_RT_OUTPUT_H
#define SAKER_RT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAKER_RT_KINDS(X) \
	X(STDOUT, "stdout") X(FILE, "file") X(SYSLOG, "syslog") X(PROGRAM, "program") X(HTTP, "http")

enum saker_rt_out_kind {
#define SAKER_RT_KIND_ENUM(k, name) SAKER_OUT_##k,
	SAKER_RT_KINDS(SAKER_RT_KIND_ENUM)
#undef SAKER_RT_KIND_ENUM
	SAKER_OUT__COUNT
};
extern const char *const saker_rt_out_kind_names[SAKER_OUT__COUNT];

#define SAKER_RT_QUEUE_DEFAULT 10000 /* alerts per output queue */

/* One configured output. Strings are owned by whoever filled it in (the configuration). */
struct saker_rt_out_conf {
	enum saker_rt_out_kind kind;
	int json;             /* 1 JSON lines, 0 text, -1 follow the global json_output */
	const char *target;   /* file path, syslog socket (default /dev/log), program command line
			       * (run with /bin/sh -c), or URL */
	uint32_t queue;       /* capacity in alerts; 0 for SAKER_RT_QUEUE_DEFAULT */
	int timeout_ms;       /* HTTP: one request; 0 for 5 s */
	bool insecure;        /* HTTP: do not verify the server's certificate */
	const char *ca_cert;  /* HTTP: CA bundle file, or NULL for the system's */
	const char *user_agent; /* HTTP: or NULL for "sakerd/VERSION" */
};

struct saker_rt_output;

struct saker_rt_output_stats {
	uint64_t delivered;   /* alerts written or accepted by the receiver */
	uint64_t dropped;     /* alerts refused because the queue was full */
	uint64_t failed;      /* alerts lost to a write, send or HTTP failure */
	uint64_t restarts;    /* program: times the program was started again */
	uint32_t depth;       /* alerts in the queue now */
	uint32_t capacity;
};

/* Opens the output (the file, the socket, the program, the HTTP handle) and starts its thread.
 * Returns 0, or a negative errno with a one-line reason in ERR. */
int saker_rt_output_new(struct saker_rt_output **out, const struct saker_rt_out_conf *c,
			char *err, size_t err_size);
/* Stops the thread after it delivered what is queued (waiting at most about two seconds for a
 * slow receiver; what is then left counts as failed), closes, frees. NULL is a no-op. */
void saker_rt_output_free(struct saker_rt_output *o);
/* The same, giving the final counters first. */
void saker_rt_output_free_stats(struct saker_rt_output *o, struct saker_rt_output_stats *s);
/* Queues a copy of LINE (LEN bytes, no newline) of priority PRIO (enum saker_priority).
 * Returns 0, -ENOBUFS when the queue is full (the alert is counted as dropped), -ENOMEM. */
int saker_rt_output_push(struct saker_rt_output *o, const char *line, size_t len, int prio);
/* Wakes the output's thread if alerts wait: pushes alone wake it only when the queue is half
 * full, so the producer calls this after each batch. */
void saker_rt_output_kick(struct saker_rt_output *o);
/* Asks a file output to reopen its file before its next write (SIGHUP, for logrotate). */
void saker_rt_output_reopen(struct saker_rt_output *o);
void saker_rt_output_stats(struct saker_rt_output *o, struct saker_rt_output_stats *s);
bool saker_rt_output_json(const struct saker_rt_output *o);
/* "file:/var/log/x", "http:URL", ... for messages and metric labels. */
const char *saker_rt_output_name(const struct saker_rt_output *o);

#endif
