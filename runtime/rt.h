/* The runtime API shared by sakerd and `saker run`: kernel requirement checks and loading
 * (rt_load.c), field values and alert rendering (rt_render.c), enrichment from the host and the
 * container runtime (rt_enrich.c), the event loop with its counters (rt_loop.c), and the command
 * line layer both programs share (rt_cli.c). Nothing here links LLVM. */
#ifndef SAKER_RT_H
#define SAKER_RT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "saker/event_fields.h"
#include "saker/bundle.h"
#include "saker/event.h"

/* ---- growable strings (rt_render.c) ------------------------------------------------------ */

/* A string builder; an allocation failure is remembered in ERR and later appends do nothing, so
 * callers check once. P is always NUL-terminated once anything was appended. */
struct saker_rt_str {
	char *p;
	size_t len, cap;
	int err;
};
void saker_rt_str_put(struct saker_rt_str *s, const char *data, size_t n);
void saker_rt_str_puts(struct saker_rt_str *s, const char *z);
void saker_rt_str_printf(struct saker_rt_str *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends Z escaped as the inside of a JSON string (no quotes): '"', '\\' and control characters
 * escaped, invalid UTF-8 replaced by U+FFFD. */
void saker_rt_str_json(struct saker_rt_str *s, const char *z, size_t n);
void saker_rt_str_reset(struct saker_rt_str *s); /* empties, keeps the memory */
void saker_rt_str_fini(struct saker_rt_str *s);  /* frees the memory */

/* ---- enrichment (rt_enrich.c) ------------------------------------------------------------ */

struct saker_rt_enrich;

struct saker_rt_enrich_opts {
	const char *socket; /* the container runtime's API socket, or NULL to pick one
			     * ($SAKER_CONTAINER_SOCKET, then podman's, then docker's), or "" to
			     * never ask */
	int wait_ms;        /* how long an alert of a container not seen before may wait for the
			     * runtime's answer (only while it answers in time); 0 never waits,
			     * negative: the default, 300 */
	int timeout_ms;     /* how long one request may take (default 3000; the loop never waits
			     * that long) */
	int retry_ms;       /* a failed or unknown id is asked again after this (default 2000) */
	const char *api;    /* "libpod", "docker", or NULL: $SAKER_CONTAINER_API, else learnt from
			     * the socket's GET /_ping (podman's replies name a libpod version) */
};

/* What the container runtime says about one container. Strings are NULL when unknown. */
struct saker_rt_container {
	char *name;         /* without Docker's leading '/' */
	char *image;        /* the image reference the container was created from */
	char *repository;   /* IMAGE without its tag and digest */
	char *tag;          /* IMAGE's tag; "latest" when it names neither tag nor digest */
	char *image_id;     /* the first 12 hex digits of the image id */
	const char *type;   /* "podman" (libpod API) or "docker" (the Docker-compatible API) */
	bool privileged, has_privileged;
	uint64_t start_ts_ns; /* State.StartedAt, ns since the epoch */
	bool has_start_ts;
};

/* Counters of the container lookups (cumulative). */
struct saker_rt_enrich_stats {
	uint64_t requests;      /* requests sent to the runtime */
	uint64_t answered;      /* answered with the container's description */
	uint64_t unknown;       /* answered 404: the runtime does not know the id */
	uint64_t failed;        /* no usable answer: no runtime, timeout, bad reply, queue full */
	uint64_t na;            /* container field lookups that gave <NA> (no answer, or not yet) */
	uint64_t waits_expired; /* alerts that waited for an answer until wait_ms ran out */
};

int saker_rt_enrich_new_opts(struct saker_rt_enrich **out, const struct saker_rt_enrich_opts *o);
/* The same with the defaults, SOCKET as above and WAIT_MS (0 or negative: the default). */
int saker_rt_enrich_new(struct saker_rt_enrich **out, const char *socket, int wait_ms);
void saker_rt_enrich_free(struct saker_rt_enrich *e); /* NULL is a no-op; stops the worker */
/* User name of UID from the password database (cached), or NULL when it has none. */
const char *saker_rt_user_name(struct saker_rt_enrich *e, uint32_t uid);
/* Group name of GID from the group database (cached), or NULL when it has none. */
const char *saker_rt_group_name(struct saker_rt_enrich *e, uint32_t gid);
/* What the runtime says about container ID (hex), or NULL when that is not known (yet): the
 * first lookup of an id asks the runtime's API from a worker thread and waits at most wait_ms;
 * later ones only read the cache (an unknown or failed id is asked again after retry_ms). The
 * result is valid until the next call or saker_rt_enrich_free. One thread calls it (the loop's). */
const struct saker_rt_container *saker_rt_container_lookup(struct saker_rt_enrich *e, const char *id);
void saker_rt_enrich_stats(struct saker_rt_enrich *e, struct saker_rt_enrich_stats *out);

/* ---- field values and rendering (rt_render.c) -------------------------------------------- */

struct saker_rt_render {
	const char *hostname;         /* evt.hostname and the JSON "hostname" */
	int64_t boot_to_wall_ns;      /* CLOCK_REALTIME - CLOCK_BOOTTIME, taken at start */
	struct saker_rt_enrich *enrich; /* may be NULL: user and container names are then <NA> */
};

/* Nanoseconds since the epoch of EV. */
uint64_t saker_rt_event_wall_ns(const struct saker_rt_render *r, const struct saker_event *ev);

#define SAKER_RT_SCRATCH SK_FIELD_SCRATCH
/* The value of FIELD (enum sk_field_id) for EV: sk_event_field's, plus the fields only user
 * space knows (times, host, user and container names). SCRATCH holds values built for the call. */
void saker_rt_field_value(const struct saker_rt_render *r, const struct saker_event *ev,
			  int field, struct sk_field_value *v, char scratch[SAKER_RT_SCRATCH]);

/* Appends one alert line for RULE and EV (no newline): Falco's text line, or its JSON object
 * when JSON is set. Returns 0 or -ENOMEM. */
int saker_rt_render_alert(const struct saker_rt_render *r, const struct saker_rule_meta *rule,
			  const struct saker_event *ev, bool json, struct saker_rt_str *out);

/* ---- residual evaluation (rt_residual.c) ------------------------------------------------ */

struct saker_rt_residual;
int saker_rt_residual_new(struct saker_rt_residual **out);
void saker_rt_residual_free(struct saker_rt_residual *r); /* NULL is a no-op */
/* Forgets the residual trees evaluated so far (call before freeing their bundle). */
void saker_rt_residual_reset(struct saker_rt_residual *r);
/* 1 when RULE's residual holds for EV (or it has none), 0 when it does not, a negative errno
 * when it cannot be evaluated (then sakerd alerts anyway: the kernel part matched). */
int saker_rt_residual_eval(struct saker_rt_residual *r, const struct saker_rt_render *render,
			   const struct saker_rule_meta *rule, const struct saker_event *ev);

/* ---- kernel checks and loading (rt_load.c) ----------------------------------------------- */

/* Checks every line of a bundle's requires text against the running kernel. Returns 0, or a
 * negative errno with a one-line reason in ERR. */
int saker_rt_check_requires(const char *requires, char *err, size_t err_size);

struct saker_rt_obj; /* one bundle's BPF object, loaded and attached */

/* Opens B's object from memory, loads and attaches every program. ERR gets a reason; for a
 * verifier rejection it is followed by the tail of the verifier log on further lines.
 * RING_BYTES, when not 0, resizes the event ring buffer (a power of two, checked by the CLI). */
int saker_rt_obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		      char *err, size_t err_size);
void saker_rt_obj_free(struct saker_rt_obj *o); /* detaches; NULL is a no-op */
int saker_rt_obj_events_fd(const struct saker_rt_obj *o);
/* Sums the per-CPU stats map into OUT[SAKER_STAT__COUNT]. Returns 0 or a negative errno. */
int saker_rt_obj_stats(const struct saker_rt_obj *o, uint64_t out[SAKER_STAT__COUNT]);
/* Sums the per-CPU counters of rules 0..N-1 (N at most the bundle's rule count) into OUT.
 * Returns 0 or a negative errno. */
int saker_rt_obj_rule_stats(const struct saker_rt_obj *o, struct saker_rule_stat *out, uint32_t n);

/* ---- the event loop (rt_loop.c) ---------------------------------------------------------- */

struct saker_rt_opts {
	bool json;              /* JSON lines instead of text */
	const char *output;     /* append alerts here instead of stdout, or NULL */
	const char *stats_file; /* write the counters here as JSON at exit (and on SIGUSR1) */
	const char *container_socket; /* see saker_rt_enrich_new; NULL picks one */
	uint32_t ring_bytes;    /* ring buffer size of every bundle; 0 keeps the bundle's own */
	const char **trusted_keys; /* --trusted-key public key files (malloc'd array, the caller
				    * frees it); bundles must be signed by one of them */
	size_t n_trusted_keys;
	bool report_verification; /* log how far each bundle was verified, before "ready" (sakerd:
				   * bundles from files; not saker run, which compiled its own) */
};

struct saker_rt_counters {
	uint64_t received;      /* records user space took from the ring buffers */
	uint64_t alerts;        /* alert lines written */
	uint64_t malformed;     /* records refused by saker_event_decode */
	uint64_t unknown_rule;  /* rule ids naming no rule of the bundle */
	uint64_t residual_matched;  /* events a residual accepted (they alerted) */
	uint64_t residual_rejected; /* events the kernel part passed and the residual rejected */
	uint64_t residual_errors;   /* residuals that could not be evaluated (alerted anyway) */
	uint64_t kernel[SAKER_STAT__COUNT]; /* summed over bundles and CPUs */
	struct saker_rt_enrich_stats container; /* the container runtime lookups */
};

struct saker_rt;

int saker_rt_new(struct saker_rt **out, const struct saker_rt_opts *o, char *err, size_t err_size);
void saker_rt_free(struct saker_rt *rt); /* NULL is a no-op */
/* Checks B's requirements, loads and attaches it. B must outlive RT. */
int saker_rt_add(struct saker_rt *rt, const struct saker_bundle *b, char *err, size_t err_size);
/* Handles one ring buffer record as if it came from bundle INDEX (exposed for tests). */
int saker_rt_handle_record(struct saker_rt *rt, size_t index, const void *data, size_t size);
/* Polls the ring buffers until *STOP is set (returns 0) or *DUMP is set (returns 1, so the caller
 * can report the counters and call again). Returns a negative errno with a reason in ERR when
 * polling or writing alerts fails. */
int saker_rt_loop(struct saker_rt *rt, volatile sig_atomic_t *stop, volatile sig_atomic_t *dump,
		  char *err, size_t err_size);
/* Drains what is left in the ring buffers, then fills C. */
void saker_rt_counters(struct saker_rt *rt, struct saker_rt_counters *c);
/* The kernel's counters of each rule of bundle BUNDLE (in the order saker_rt_add took them):
 * *OUT points to an array of *N, one per rule, valid until the next call or saker_rt_free;
 * values read last are kept when a read fails. Returns 0 or a negative errno. */
int saker_rt_rule_counters(struct saker_rt *rt, size_t bundle, const struct saker_rule_stat **out,
			   uint32_t *n);
/* Writes C as one JSON object to PATH (replacing it atomically), with RT's counters per rule
 * (the kernel's and the residual's) under "rules" (RT may be NULL). */
int saker_rt_write_stats(struct saker_rt *rt, const char *path, const struct saker_rt_counters *c);

/* ---- the command line both sakerd and `saker run` use (rt_cli.c) ------------------------- */

/* Parses the sakerd options at the front of ARGV into O. Returns the index of the first
 * positional argument (the caller then frees O->trusted_keys), or -1 after --help/--version
 * (printed, exit 0), or -2 after a usage error (printed to stderr, exit 2). PROG names the
 * program in messages; POSITIONAL describes the operands for --help ("BUNDLE..." or "PATH..."). */
int saker_rt_cli_parse(const char *prog, const char *positional, int argc, char **argv,
		       struct saker_rt_opts *o);
/* Loads BUNDLES (NAMES for messages), prints "PROG: ready" to stderr, and runs until SIGINT or
 * SIGTERM; then prints the counters. Returns the exit status (0, or 2 with a reason printed). */
int saker_rt_cli_serve(const char *prog, const struct saker_rt_opts *o,
		       struct saker_bundle *const *bundles, const char *const *names, size_t n);

#endif
