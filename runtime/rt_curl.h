/* libcurl, loaded when sakerd first needs it (an HTTP output, a container lookup, --health).
 *
 * sakerd does not link libcurl: the library and what it pulls in (TLS, Kerberos, LDAP, SSH)
 * map about 4 MB of pages that an idle sakerd, with file or stdout outputs and no container
 * alert yet, never needs. saker_curl_load() opens libcurl.so.4 once (thread-safe) and fills
 * saker_curl with the functions sakerd calls; every call goes through it. */
#ifndef SAKER_RT_CURL_H
#define SAKER_RT_CURL_H

#include <stddef.h>
#include <curl/curl.h>

struct saker_curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
	CURLMcode (*multi_wakeup)(CURLM *);
	CURLMcode (*multi_cleanup)(CURLM *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* Filled by the first successful saker_curl_load(); all NULL before. */
extern struct saker_curl_api saker_curl;

/* Loads libcurl and initialises it (curl_global_init) once. 0, or -1 with the reason in ERR
 * ("libcurl.so.4: cannot open shared object file: ..."); later calls return the same verdict. */
int saker_curl_load(char *err, size_t esz);

#endif
