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

/* Where the runtime's own messages go (a line without newline); main-level code prints them.
 * It may be called from the runtime's helper threads too (the resolver's). */
typedef void saker_rt_log_fn(void *arg, const char *line);

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
	char **label_keys;  /* Config.Labels, n_labels of them, in the reply's order */
	char **label_values;
	size_t n_labels;
};

/* The value of C's label KEY (io.kubernetes.pod.namespace ...), or NULL when it has none. */
const char *saker_rt_container_label(const struct saker_rt_container *c, const char *key);

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

/* ---- the addresses of domain names (rt_dns.c) ------------------------------------------ */

/* The names that rules compare fd.sip.name, fd.cip.name, fd.lip.name and fd.rip.name with are
 * resolved by a thread of their own, at start and every refresh interval; the event loop reads
 * the addresses last known and never waits for a lookup (docs/sakerd.md, "Domain names"). */
struct saker_rt_dns;

struct saker_rt_addr {
	uint8_t ip[16];     /* network byte order */
	uint8_t len;        /* 4 or 16 */
};

/* Looks NAME up: at most MAX addresses into OUT, their number into *N. 0, or a negative errno
 * with a reason in WHY. It may take long: it runs on the resolver's thread only. */
typedef int saker_rt_resolve_fn(void *ctx, const char *name, struct saker_rt_addr *out, size_t max,
				size_t *n, char *why, size_t why_size);
/* The system's resolver: getaddrinfo (/etc/hosts, DNS: A and AAAA records). */
int saker_rt_resolve_system(void *ctx, const char *name, struct saker_rt_addr *out, size_t max,
			    size_t *n, char *why, size_t why_size);

struct saker_rt_dns_opts {
	int refresh_ms;     /* a name that resolved is asked again after this (default 30000) */
	int retry_ms;       /* one whose lookup failed, after this (default 5000) */
	int slow_ms;        /* a lookup longer than this is said, once per name (default 5000) */
	int stop_wait_ms;   /* how long saker_rt_dns_free waits for a lookup in progress (1000) */
	saker_rt_resolve_fn *resolve; /* NULL: saker_rt_resolve_system */
	void *resolve_ctx;
	saker_rt_log_fn *log;         /* resolutions, failures (once until it resolves again) */
	void *log_arg;
};

struct saker_rt_dns_stats {
	uint64_t names;     /* names asked for now */
	uint64_t resolved;  /* lookups that gave addresses */
	uint64_t failures;  /* lookups that failed */
	uint64_t checks;    /* name checks of events */
};

int saker_rt_dns_new(struct saker_rt_dns **out, const struct saker_rt_dns_opts *o); /* O may be NULL */
/* Stops the resolver (waiting at most stop_wait_ms for a lookup in progress); NULL is a no-op. */
void saker_rt_dns_free(struct saker_rt_dns *d);
/* The names to resolve from now on: those kept keep their addresses, new ones are asked at
 * once (once the thread runs), the others are forgotten. */
int saker_rt_dns_set_names(struct saker_rt_dns *d, const char *const *names, size_t n);
/* Starts the resolver's thread if there is a name to resolve and it is not running, then waits
 * at most WAIT_MS until every name was asked once. Call it once privileges are dropped (the
 * thread keeps the credentials it starts with). 0 or a negative errno. */
int saker_rt_dns_start(struct saker_rt_dns *d, int wait_ms);
/* 1 when IP (IP_LEN bytes; IPv4-mapped IPv6 addresses given as IPv4) is one of NAME's (LEN
 * bytes) addresses last known, else 0. Never waits for a lookup. */
int saker_rt_dns_match(struct saker_rt_dns *d, const char *name, size_t len, const uint8_t *ip,
		       uint8_t ip_len);
/* The first name (in the order given) whose addresses include IP, copied into BUF; NULL when
 * none. */
const char *saker_rt_dns_name_of(struct saker_rt_dns *d, const uint8_t *ip, uint8_t ip_len,
				 char *buf, size_t size);
void saker_rt_dns_stats(struct saker_rt_dns *d, struct saker_rt_dns_stats *out);
/* Appends to *NAMES (malloc'd, *N of them, grown; each name malloc'd) the names that E's checks
 * compare a domain-name field with. 0 or -ENOMEM. */
struct sk_cexpr;
int saker_rt_dns_collect(const struct sk_cexpr *e, char ***names, size_t *n);
/* Lookups finished so far (for tests that wait for one). */
uint64_t saker_rt_dns_rounds(struct saker_rt_dns *d);

/* ---- field values and rendering (rt_render.c) -------------------------------------------- */

struct saker_rt_render {
	const char *hostname;         /* evt.hostname and the JSON "hostname" */
	int64_t boot_to_wall_ns;      /* CLOCK_REALTIME - CLOCK_BOOTTIME, taken at start */
	struct saker_rt_enrich *enrich; /* may be NULL: user and container names are then <NA> */
	struct saker_rt_dns *dns;     /* may be NULL: no name has an address (fd.sip.name ...) */
	/* JSON keys: the negations of Falco's json_include_*_property (zero is Falco's default) */
	bool json_omit_output, json_omit_output_fields, json_omit_tags;
	bool json_message;            /* json_include_message_property */
	bool dry_run;                 /* --enforce off: alerts of rules with an action say "would" */
	bool lsm;                     /* the bundles run the LSM back end (it can deny) */
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

/* One output_fields entry of an internal alert: a number, or a string when S is set. */
struct saker_rt_kv {
	const char *key;
	const char *s;
	uint64_t u;
};
/* Appends an internal alert (the runtime's own, such as lost events) for RULE at the current
 * time: MSG is the output, FIELDS (sorted by key) its output_fields; source "internal". */
int saker_rt_render_internal(const struct saker_rt_render *r, const char *rule, int prio,
			     const char *msg, const struct saker_rt_kv *fields, size_t n, bool json,
			     struct saker_rt_str *out);

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
/* Words for ERR (positive), an errno or one of libbpf's own codes (LIBBPF_ERRNO__*, 4000 and
 * up, which strerror calls "Unknown error 4001"). The text stays valid until the next call in
 * the same thread. */
const char *saker_rt_strerror(int err);

struct saker_rt_obj; /* one bundle's BPF object, loaded and attached */

/* Opens B's object from memory and loads it; nothing of it runs yet. ERR gets a reason; for a
 * verifier rejection it is followed by the tail of the verifier log on further lines.
 * RING_BYTES, when not 0, resizes the event ring buffer (a power of two, checked by the CLI).
 * PREV, when not NULL, is the loaded object this one is to replace: they share the hook map.
 * WANT (enum saker_rt_backend, rt_config.h) chooses the back end (docs/sakerd.md, "Back
 * ends"); with PREV, PREV's is kept. */
int saker_rt_obj_load(struct saker_rt_obj **out, const struct saker_bundle *b, uint32_t ring_bytes,
		      const struct saker_rt_obj *prev, int want, char *err,
		      size_t err_size);
/* Leaves the LSM back end's programs (sections lsm/... and fexit/...) of OBJ, opened and not loaded yet, out
 * of its load, and those of the hooks on a tracepoint this kernel lacks (SAKER_HOOK_IF_KERNEL_HAS):
 * for loaders of the tracepoint programs alone (tests, saker check --verify). */
struct bpf_object;
void saker_rt_skip_lsm(struct bpf_object *obj);
/* Whether this kernel runs BPF LSM programs ("bpf" among its active LSMs); WHY says why not. */
bool saker_rt_lsm_usable(char *why, size_t why_size);
/* Whether O runs the LSM back end (lsm/file_open for opens, tracepoints for the rest); the note
 * says why not ("" when it does). */
bool saker_rt_obj_lsm(const struct saker_rt_obj *o);
const char *saker_rt_obj_backend_note(const struct saker_rt_obj *o);
/* Sets what each of O's N rules does when it matches (ACTIONS: enum saker_action per rule id;
 * all alert is what a loaded object starts with), and names this process as the one never
 * acted on. Call it after saker_rt_obj_load and before saker_rt_obj_start. */
int saker_rt_obj_set_actions(struct saker_rt_obj *o, const uint8_t *actions, uint32_t n, char *err,
			     size_t err_size);
/* Per rule: the action in force and the kernel's enforcement counters (zero without any). */
int saker_rt_obj_rule_actions(const struct saker_rt_obj *o, struct saker_rule_action *out, uint32_t n);
/* Makes O handle the events from now on: the hooks nothing attached yet are attached, O's hook
 * bodies go into the hook map (each update is atomic, so from the next event on PREV's bodies
 * no longer run), and PREV's attached dispatchers become O's. PREV may be NULL. On failure
 * nothing changed: PREV runs as before. Calling it again with the two swapped switches back. */
int saker_rt_obj_start(struct saker_rt_obj *o, struct saker_rt_obj *prev, char *err,
		       size_t err_size);
void saker_rt_obj_free(struct saker_rt_obj *o); /* detaches what it holds; NULL is a no-op */
/* Resolves O's watched paths again (file identity, docs/kernel.md) and updates the kernel's map
 * where a path now names another file; true when something changed. */
bool saker_rt_obj_watch_refresh(struct saker_rt_obj *o);
int saker_rt_obj_events_fd(const struct saker_rt_obj *o);
/* 1 when every program O needs is attached (each dispatcher's link is alive). */
bool saker_rt_obj_attached(const struct saker_rt_obj *o);
/* What the kernel counts per program (run_cnt is 0 unless kernel.bpf_stats_enabled = 1). */
struct saker_rt_prog_info {
	char name[64];
	uint64_t run_cnt, run_time_ns;
};
/* Fills OUT[0..max) for O's programs; returns how many it has. */
size_t saker_rt_obj_progs(const struct saker_rt_obj *o, struct saker_rt_prog_info *out, size_t max);
/* Sums the per-CPU stats map into OUT[SAKER_STAT__COUNT]. Returns 0 or a negative errno. */
int saker_rt_obj_stats(const struct saker_rt_obj *o, uint64_t out[SAKER_STAT__COUNT]);
/* Sums the per-CPU counters of rules 0..N-1 (N at most the bundle's rule count) into OUT.
 * Returns 0 or a negative errno. */
int saker_rt_obj_rule_stats(const struct saker_rt_obj *o, struct saker_rule_stat *out, uint32_t n);

/* ---- the event loop (rt_loop.c) ---------------------------------------------------------- */

struct saker_rt_config;

struct saker_rt_counters {
	uint64_t received;      /* records user space took from the ring buffers */
	uint64_t alerts;        /* alerts sent to the outputs (one per matched, enabled rule) */
	uint64_t malformed;     /* records refused by saker_event_decode */
	uint64_t unknown_rule;  /* rule ids naming no rule of the bundle */
	uint64_t disabled;      /* matches of rules the configuration turned off */
	uint64_t suppressed;    /* alerts the per-rule rate limit held back */
	uint64_t output_dropped; /* alerts an output's full queue refused, summed over outputs */
	uint64_t output_failed; /* alerts an output could not deliver, summed over outputs */
	uint64_t internal;      /* internal alerts (losses, drops, suppression) */
	uint64_t reloads;       /* bundle sets replaced by saker_rt_reload */
	uint64_t residual_matched;  /* events a residual accepted (they alerted) */
	uint64_t residual_rejected; /* events the kernel part passed and the residual rejected */
	uint64_t residual_errors;   /* residuals that could not be evaluated (alerted anyway) */
	uint64_t kernel[SAKER_STAT__COUNT]; /* summed over bundles and CPUs, reloads included */
	struct saker_rt_enrich_stats container; /* the container runtime lookups */
	struct saker_rt_dns_stats dns;          /* the domain names' resolver */
};

struct saker_rt;


/* Opens the outputs of C (which must outlive RT). LOG may be NULL. */
int saker_rt_new(struct saker_rt **out, const struct saker_rt_config *c, saker_rt_log_fn *log,
		 void *log_arg, char *err, size_t err_size);
void saker_rt_free(struct saker_rt *rt); /* NULL is a no-op */
/* Checks B's requirements, loads and attaches it. RT owns B from then on, even on failure. NAME
 * (copied) names it in messages and metrics. */
int saker_rt_add(struct saker_rt *rt, struct saker_bundle *b, const char *name, char *err,
		 size_t err_size);
/* Replaces every bundle by B[0..n) (owned by RT from then on, even on failure) without a gap:
 * the new objects are loaded and take over the hooks before the old ones are drained and
 * unloaded, and an event is handled by exactly one of them. On failure the old bundles keep
 * running. */
int saker_rt_reload(struct saker_rt *rt, struct saker_bundle **b, const char *const *names,
		    size_t n, char *err, size_t err_size);
/* Handles one ring buffer record as if it came from bundle INDEX (exposed for tests). */
int saker_rt_handle_record(struct saker_rt *rt, size_t index, const void *data, size_t size);
/* Starts the resolver of domain names (fd.sip.name ...) once privileges are dropped, and waits
 * at most WAIT_MS for each name's first lookup; later bundles (reloads) bring their names to it.
 * 0 or a negative errno (the resolver then never runs: no name has an address). */
int saker_rt_start_resolver(struct saker_rt *rt, int wait_ms);
/* Polls the ring buffers until *STOP is set (returns 0) or *WAKE is set (returns 1, so the
 * caller can dump counters or reload and call again). Returns a negative errno with a reason in
 * ERR when polling fails. */
int saker_rt_loop(struct saker_rt *rt, volatile sig_atomic_t *stop, volatile sig_atomic_t *wake,
		  char *err, size_t err_size);
/* Drains what is left in the ring buffers, then fills C. */
void saker_rt_counters(struct saker_rt *rt, struct saker_rt_counters *c);
/* The kernel's counters of one rule (docs/kernel.md, "Counters"), summed over the CPUs and over
 * the objects that held the rule (a rule that survives a reload keeps counting). */
struct saker_rt_rule_kernel {
	const char *bundle;  /* the bundle's name, as saker_rt_add or saker_rt_reload took it */
	const char *rule;    /* the rule's name */
	uint64_t matched;    /* events the rule matched in the kernel */
	uint64_t emitted;    /* records sent for it */
	uint64_t lost;       /* records for it the kernel could not send */
	uint64_t cut;        /* of its matches, those on an event with a path the kernel cut */
	uint64_t evals;      /* times the kernel evaluated it, as a candidate of an event */
	uint64_t cost_ns;    /* time the sampled evaluations took (one in SAKER_COST_SAMPLE) */
	uint64_t samples;    /* evaluations sampled */
};
/* Fills OUT[0..MAX) with the rules of every bundle in force, in bundle then rule order, and
 * returns how many rules there are (call with MAX 0 to size OUT). The names stay valid until the
 * next saker_rt_reload or saker_rt_free. From another thread than the loop's, hold the lock that
 * guards the sources (rt_loop.h). A failed map read leaves that bundle's earlier counts. */
size_t saker_rt_rule_counters(const struct saker_rt *rt, struct saker_rt_rule_kernel *out,
			      size_t max);
/* Asks every file output to reopen its file (SIGHUP). */
void saker_rt_reopen_outputs(struct saker_rt *rt);
/* Stops the outputs after they delivered what they hold (bounded wait), so the counters that
 * follow are final. */
void saker_rt_close_outputs(struct saker_rt *rt);
/* Writes C as one JSON object to PATH (replacing it atomically), with RT's counters per rule
 * (the kernel's and the residual's) under "rules" (RT may be NULL). */
int saker_rt_write_stats(const struct saker_rt *rt, const char *path, const struct saker_rt_counters *c);
/* The Prometheus text exposition of every counter (rt_metrics.c) and whether sakerd is
 * healthy: every program attached and the kernel saw events in the configured window. */
int saker_rt_metrics_text(struct saker_rt *rt, struct saker_rt_str *out, bool *healthy);
/* Serves GET /metrics and GET /healthz (200 when healthy, else 503) on ADDR ("HOST:PORT") from
 * its own thread. */
struct saker_rt_metrics;
int saker_rt_metrics_start(struct saker_rt_metrics **out, struct saker_rt *rt, const char *addr,
			   char *err, size_t err_size);
void saker_rt_metrics_stop(struct saker_rt_metrics *m); /* NULL is a no-op */

/* ---- the command line both sakerd and `saker run` use (rt_cli.c) ------------------------- */

/* Parses the sakerd options of ARGV, after reading the configuration file (-c) they name, into C
 * (command-line options override the file). Returns the index of the first positional argument,
 * or -1 when the program should exit 0 (--help, --version, --validate-config of a good file,
 * --health of a healthy sakerd), -2 for a usage error (exit 2), -3 for a configuration with
 * errors and -4 for --health of an unhealthy sakerd (exit 1); what happened is printed.
 * saker_rt_cli_status turns these into the exit status. PROG names the program in messages; POSITIONAL describes the operands for --help
 * ("BUNDLE..." or "PATH..."). */
int saker_rt_cli_parse(const char *prog, const char *positional, int argc, char **argv,
		       struct saker_rt_config *c);
int saker_rt_cli_status(int parsed);
/* Gives the bundles to run (read from PATHS, or compiled): fills OUT[0..n) and returns 0, or a
 * negative errno with a reason in ERR. Called at start and on SIGHUP. */
typedef int saker_rt_bundles_fn(void *arg, struct saker_bundle **out, char *err, size_t err_size);
/* Loads the N bundles GET gives, prints "PROG: ready" to stderr, and runs until SIGINT or
 * SIGTERM; SIGHUP reopens file outputs and reloads the bundles through GET; then prints the
 * counters. NAMES name the bundles in messages. Returns the exit status (0, or 2 with a reason
 * printed). */
int saker_rt_cli_serve(const char *prog, const struct saker_rt_config *c, saker_rt_bundles_fn *get,
		       void *get_arg, const char *const *names, size_t n);

#endif
