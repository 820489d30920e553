/* The name tables of the typed condition (include/saker/cond.h), shared by the compiler, the
 * evaluator and the printer. */
#include "saker/cond.h"

const char *const sk_cop_names[SK_COP__COUNT] = {
#define SK_COP_NAME(id, s) [SK_COP_##id] = s,
	SK_COPS(SK_COP_NAME)
#undef SK_COP_NAME
};

const char *const sk_xform_names[SK_XF__COUNT] = {
#define SK_XFORM_NAME(id, s) [SK_XF_##id] = s,
	SK_XFORMS(SK_XFORM_NAME)
#undef SK_XFORM_NAME
};
