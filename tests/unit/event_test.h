/* Decoded event records built by hand for the unit tests: a struct saker_event with room for its
 * strings, and setters that keep the header, the family and the slots consistent. */
#ifndef SAKER_EVENT_TEST_H
#define SAKER_EVENT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/event_fields.h"
#include "saker/fields.h"

struct test_event {
	struct saker_event ev; /* first: the tests hold a struct saker_event * */
	char str[SAKER_STR__COUNT][SAKER_PATH_MAX];
};

/* EV becomes an event of type ID (events.def), numbered as x86-64 numbers it (or, with no
 * x86-64 number, as i386 does). */
static inline void test_event_type(struct saker_event *ev, int id)
{
	long nr = sk_event_nr(SK_ARCH_X86_64, id);

	ev->h.event = (uint16_t)id;
	ev->h.family = id >= 0 && id < SK_EV__COUNT ? (uint8_t)sk_events[id].family : 0;
	ev->h.arch = SK_ARCH_X86_64;
	ev->h.flags &= ~(uint32_t)SAKER_EVF_COMPAT;
	if (nr < 0 && (nr = sk_event_nr(SK_ARCH_I386, id)) >= 0) {
		ev->h.arch = SK_ARCH_I386;
		ev->h.flags |= SAKER_EVF_COMPAT;
	}
	ev->h.nr = nr < 0 ? 0 : (uint32_t)nr;
}

/* String slot SLOT of EV becomes S (NULL: the event has none). */
static inline void test_event_str(struct saker_event *ev, enum saker_str slot, const char *s)
{
	struct test_event *t = (struct test_event *)ev;

	if (!s) {
		ev->str[slot] = NULL;
		ev->str_len[slot] = 0;
		return;
	}
	snprintf(t->str[slot], sizeof(t->str[slot]), "%s", s);
	ev->str[slot] = t->str[slot];
	ev->str_len[slot] = (uint32_t)strlen(t->str[slot]);
}

/* A new event of type ID, all zero but its type. */
static inline struct saker_event *test_event_new(int id)
{
	struct test_event *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	test_event_type(&t->ev, id);
	return &t->ev;
}

/* An open's result: the return value, and the descriptor the tail then holds. */
static inline void test_open_res(struct saker_event *ev, int64_t res)
{
	ev->h.res = res;
	SAKER_EVENT_TAIL_W(ev, open)->fd = res < 0 ? -1 : (int32_t)res;
}

#define TEST_OPEN(ev) SAKER_EVENT_TAIL_W(ev, open)
#define TEST_PTRACE(ev) SAKER_EVENT_TAIL_W(ev, ptrace)

#endif
