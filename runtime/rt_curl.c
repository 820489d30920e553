/* libcurl, opened on first use: see rt_curl.h. */
#include "rt_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The soname of libcurl's ABI 4, the one curl/curl.h describes (Debian: package libcurl4). */
#define SAKER_CURL_SONAME "libcurl.so.4"

struct saker_curl_api saker_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char reason[256];
static int verdict = -1;

static void *sym(void *lib, const char *name, int *missing)
{
	void *p = dlsym(lib, name);
	if (!p && !*missing) {
		snprintf(reason, sizeof(reason), "%s has no symbol %s", SAKER_CURL_SONAME, name);
		*missing = 1;
	}
	return p;
}

static void load(void)
{
	void *lib = dlopen(SAKER_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	struct saker_curl_api a;
	int missing = 0;

	if (!lib) {
		const char *e = dlerror();
		snprintf(reason, sizeof(reason), "%s (HTTP outputs and container lookups need libcurl)",
			 e ? e : SAKER_CURL_SONAME ": cannot be loaded");
		return;
	}
#define S(field, name) *(void **)&a.field = sym(lib, name, &missing)
	S(easy_init, "curl_easy_init");
	S(easy_setopt, "curl_easy_setopt");
	S(easy_perform, "curl_easy_perform");
	S(easy_getinfo, "curl_easy_getinfo");
	S(easy_cleanup, "curl_easy_cleanup");
	S(easy_strerror, "curl_easy_strerror");
	S(multi_init, "curl_multi_init");
	S(multi_add_handle, "curl_multi_add_handle");
	S(multi_remove_handle, "curl_multi_remove_handle");
	S(multi_perform, "curl_multi_perform");
	S(multi_info_read, "curl_multi_info_read");
	S(multi_poll, "curl_multi_poll");
	S(multi_wakeup, "curl_multi_wakeup");
	S(multi_cleanup, "curl_multi_cleanup");
	S(slist_append, "curl_slist_append");
	S(slist_free_all, "curl_slist_free_all");
#undef S
	CURLcode (*global_init)(long) = NULL;
	*(void **)&global_init = sym(lib, "curl_global_init", &missing);
	if (missing) {
		dlclose(lib);
		return;
	}
	CURLcode rc = global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(reason, sizeof(reason), "cannot initialise libcurl: %s", a.easy_strerror(rc));
		return; /* stays mapped: curl_global_init may have left threads or state behind */
	}
	saker_curl = a;
	verdict = 0;
}

int saker_curl_load(char *err, size_t esz)
{
	pthread_once(&once, load);
	if (verdict && err && esz)
		snprintf(err, esz, "%s", reason);
	return verdict;
}
