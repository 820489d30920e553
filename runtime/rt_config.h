/* sakerd's configuration file (rt_config.c): YAML in the spirit of falco.yaml, every value
 * located in the file so that a mistake is reported as `file:line:col: error: ...` through the
 * diagnostics module, as `saker check` reports rules. */
#ifndef SAKER_RT_CONFIG_H
#define SAKER_RT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "rt_output.h"

/* One output section (stdout_output, file_output, ...). */
struct saker_rt_cfg_out {
	bool enabled;
	int format;           /* 1 JSON, 0 text, -1 follow json_output */
	char *target;         /* filename, socket, program, url */
	uint32_t queue;       /* 0: outputs_queue.capacity */
	bool insecure;
	char *ca_cert;
	char *user_agent;
	int timeout_ms;
};

/* One step of the rule selection, applied in order: enable or disable the rules whose name, or
 * one of whose tags, matches PATTERN (a shell glob: "*" selects every rule). */
struct saker_rt_select {
	bool enable;
	bool by_tag;
	char *pattern;
};

struct saker_rt_config {
	char **bundles;                /* each vector is followed by its count (rt_config.c relies */
	size_t n_bundles;              /* on it) */
	int min_priority;              /* enum saker_priority: rules less severe do not alert */
	bool json_output;
	bool json_omit_output;         /* the negations of Falco's json_include_*_property, */
	bool json_omit_output_fields;  /* so that zero is Falco's default */
	bool json_omit_tags;
	bool json_message;
	struct saker_rt_select *select;
	size_t n_select;
	uint32_t ring_bytes;           /* 0: the bundle's own */
	double rate;                   /* per-rule alerts per second; 0: no limit */
	double burst;                  /* bucket size */
	uint32_t queue;                /* outputs_queue.capacity; 0: SAKER_RT_QUEUE_DEFAULT */
	struct saker_rt_cfg_out out[SAKER_OUT__COUNT];
	bool metrics_enabled;
	char *metrics_addr;            /* "HOST:PORT"; SAKER_RT_METRICS_ADDR when enabled without */
	double health_window_s;        /* events must have been seen this recently to be healthy */
	char *stats_file;
	char *container_socket;
	bool container_socket_set;     /* an explicit "" turns lookups off */
	char **trusted_keys;           /* sakerd --trusted-key, one per key */
	size_t n_trusted_keys;
	char *user;                    /* --user */
	bool enforce_off;              /* --enforce off: rules with an action only alert, saying what
					* they would have done (a dry run) */
	bool deny_as_alert;            /* --deny-as-alert: run 'deny' rules as alerts on a back end
					* that cannot deny, instead of refusing the bundle */
	char *backend;                 /* --backend: "auto" (NULL), "tracepoint" or "lsm" */
	bool report_verification;      /* log how far each bundle was verified, before "ready"
					* (sakerd: bundles from files; not saker run) */
};

#define SAKER_RT_METRICS_ADDR "127.0.0.1:8765"

/* The kernel hooks sakerd runs (docs/sakerd.md, "Back ends"). */
enum saker_rt_backend {
	SAKER_RT_BACKEND_AUTO = 0,    /* the LSM one where the kernel runs it, else tracepoints */
	SAKER_RT_BACKEND_TRACEPOINT,
	SAKER_RT_BACKEND_LSM,
};
/* enum saker_rt_backend of a --backend value (NULL: auto), or -1. */
int saker_rt_backend_parse(const char *name);

/* Falco's defaults: stdout on, text, every priority, no rate limit. */
void saker_rt_config_init(struct saker_rt_config *c);
void saker_rt_config_fini(struct saker_rt_config *c); /* frees what it holds */

/* Reads PATH into C (over what saker_rt_config_init put there). Errors go to D with their
 * location. Returns 0, -1 when the file has errors (reported), or a negative errno when it
 * cannot be read (reported too). */
int saker_rt_config_load(struct saker_rt_config *c, const char *path, sk_diag *d);
/* The same, from memory (NAME for messages). */
int saker_rt_config_load_string(struct saker_rt_config *c, const char *name, const char *text,
				size_t len, sk_diag *d);

/* Parses "16K", "8M", "1G" or bytes: a power of two from 16 KiB to 1 GiB. */
int saker_rt_parse_ring_size(const char *s, uint32_t *out);
/* Appends a copy of S to the string vector *V of *N entries. Returns 0 or -ENOMEM. */
int saker_rt_strv_add(char ***v, size_t *n, const char *s);

#endif
