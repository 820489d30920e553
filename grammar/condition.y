/* Grammar of Falco's condition language (falco/GRAMMAR.md §3). The lexer (condition.l) already
 * knows which context it is in, so the grammar is thin and the actions only build AST nodes in
 * the compilation's arena. Precedence: not > and > or; and/or are n-ary; repeated 'not's fold
 * by parity. Left recursion everywhere a sequence can be long keeps bison's stack flat, and the
 * lexer's depth limit bounds nesting. */

%define api.pure full
%define api.prefix {skc_}
%define api.token.prefix {TK_}
%define api.location.type {sk_loc}
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {struct sk_pstate *ps}

%code requires {
#include "parse_loc.h"
}

%code provides {
int skc_lex(SKC_STYPE *lval, sk_loc *lloc, yyscan_t scanner);
}

%code {
#include <string.h>

/* Bounded by the lexer's depth limit (at most SK_PARSE_MAX_DEPTH nested parentheses, a few
 * stack entries each); bison grows its stack on the heap up to this. */
#define YYMAXDEPTH 1000000

#define YYLLOC_DEFAULT(Cur, Rhs, N)                             \
	do {                                                    \
		if (N) {                                        \
			(Cur).off = YYRHSLOC(Rhs, 1).off;       \
			(Cur).end = YYRHSLOC(Rhs, N).end;       \
		} else {                                        \
			(Cur).off = (Cur).end = YYRHSLOC(Rhs, 0).end; \
		}                                               \
	} while (0)

static void skc_error(sk_loc *l, yyscan_t scanner, struct sk_pstate *ps, const char *msg);

static sk_loc span2(sk_loc a, sk_loc b)
{
	sk_loc l = { a.off, b.end };
	return l;
}

static sk_operand *opd(struct sk_pstate *ps, enum sk_operand_kind k, sk_loc l,
		       const struct sk_tok *t)
{
	sk_operand *o = sk_operand_new(ps->arena, k, sk_parse_span(ps, l));
	if (t) {
		o->text = t->s;
		o->text_len = t->len;
		o->quoted = t->v != 0 && k == SK_OPD_VALUE;
	}
	return o;
}

static void add(struct sk_pstate *ps, sk_operand *o, sk_operand *item)
{
	sk_arena_push(ps->arena, (void ***)&o->items, &o->n_items, item);
}

static sk_operand *with_arg(struct sk_pstate *ps, sk_operand *o, sk_loc l, const struct sk_tok *arg)
{
	o->arg = arg->s;
	o->arg_span = sk_parse_span(ps, arg->inner);
	o->span = sk_parse_span(ps, l);
	return o;
}

static sk_expr *check(struct sk_pstate *ps, sk_loc l, sk_operand *lhs, int op, sk_loc opl,
		      int mod, sk_operand *rhs)
{
	sk_expr *e = sk_expr_new(ps->arena, SK_E_CHECK, sk_parse_span(ps, l));
	e->lhs = lhs;
	e->op = (enum sk_op)op;
	e->op_span = sk_parse_span(ps, opl);
	e->mod = (enum sk_modifier)mod;
	e->rhs = rhs;
	return e;
}

static sk_expr *nary(struct sk_pstate *ps, enum sk_expr_kind k, sk_expr **v, size_t n, sk_loc l)
{
	if (n == 1)
		return v[0];
	sk_expr *e = sk_expr_new(ps->arena, k, sk_parse_span(ps, l));
	e->kids = v;
	e->n_kids = n;
	return e;
}
}

%union {
	struct sk_tok tok;
	sk_expr *expr;
	sk_operand *opd;
	struct { sk_expr **v; size_t n; } exprs;
	unsigned count;
}

%token END 0 "end of the condition"
%token <tok> FIELD "field name" ARG "field argument" IDENT "identifier" STRING "string"
%token <tok> NUMBER "number" TNAME "transformer"
%token <tok> NUMOP "numeric operator" STROP "string operator" LISTOP "list operator"
%token <tok> MODIFIER "modifier" EXISTS "'exists'"
%token VAL "'val('" AND "'and'" OR "'or'" NOT "'not'" LPAREN "'('" RPAREN "')'" COMMA "','"
%token LEXERR "invalid token"

%type <expr> or_expr and_expr not_expr primary check
%type <exprs> or_list and_list
%type <count> nots
%type <opd> lhs field transformer targs targ tlist tlist_items tlist_item
%type <opd> rhs_num rhs_str rhs_list rhs_mod tv list values

%start input

%%

input: or_expr { ps->result = $1; }
     ;

or_expr: or_list { $$ = nary(ps, SK_E_OR, $1.v, $1.n, @$); }
       ;
or_list: and_expr { $$.v = NULL; $$.n = 0; sk_arena_push(ps->arena, (void ***)&$$.v, &$$.n, $1); }
       | or_list OR and_expr { $$ = $1; sk_arena_push(ps->arena, (void ***)&$$.v, &$$.n, $3); }
       ;

and_expr: and_list { $$ = nary(ps, SK_E_AND, $1.v, $1.n, @$); }
        ;
and_list: not_expr { $$.v = NULL; $$.n = 0; sk_arena_push(ps->arena, (void ***)&$$.v, &$$.n, $1); }
        | and_list AND not_expr { $$ = $1; sk_arena_push(ps->arena, (void ***)&$$.v, &$$.n, $3); }
        ;

not_expr: nots primary {
		if ($1 % 2) {
			$$ = sk_expr_new(ps->arena, SK_E_NOT, sk_parse_span(ps, span2(@1, @2)));
			sk_arena_push(ps->arena, (void ***)&$$->kids, &$$->n_kids, $2);
		} else {
			$$ = $2;
		}
	}
        ;
nots: %empty { $$ = 0; }
    | nots NOT { $$ = $1 + 1; }
    ;

primary: LPAREN or_expr RPAREN { $$ = $2; }
       | IDENT {
		$$ = sk_expr_new(ps->arena, SK_E_MACRO, sk_parse_span(ps, @1));
		$$->ident = $1.s;
	}
       | check
       ;

check: lhs EXISTS { $$ = check(ps, @$, $1, $2.v, @2, SK_MOD_NONE, NULL); }
     | lhs NUMOP rhs_num { $$ = check(ps, @$, $1, $2.v, @2, SK_MOD_NONE, $3); }
     | lhs STROP rhs_str { $$ = check(ps, @$, $1, $2.v, @2, SK_MOD_NONE, $3); }
     | lhs STROP MODIFIER rhs_mod { $$ = check(ps, @$, $1, $2.v, @2, $3.v, $4); }
     | lhs LISTOP rhs_list { $$ = check(ps, @$, $1, $2.v, @2, SK_MOD_NONE, $3); }
     ;

lhs: field | transformer ;

field: FIELD { $$ = opd(ps, SK_OPD_FIELD, @1, &$1); }
     | FIELD ARG { $$ = with_arg(ps, opd(ps, SK_OPD_FIELD, @1, &$1), @$, &$2); }
     ;

transformer: TNAME targs RPAREN { $$ = $2; $$->text = $1.s; $$->text_len = $1.len; $$->span = sk_parse_span(ps, @$); }
           | TNAME targs RPAREN ARG {
		$$ = $2;
		$$->text = $1.s;
		$$->text_len = $1.len;
		with_arg(ps, $$, @$, &$4);
	}
           ;
/* targs collects the arguments into the transformer operand itself. */
targs: targ { $$ = opd(ps, SK_OPD_TRANSFORM, @1, NULL); add(ps, $$, $1); }
     | targs COMMA targ { $$ = $1; add(ps, $$, $3); }
     ;
targ: NUMBER { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
    | STRING { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
    | LPAREN tlist RPAREN { $$ = $2; $$->span = sk_parse_span(ps, @$); }
    | transformer
    | field
    ;
tlist: %empty { $$ = opd(ps, SK_OPD_TLIST, @$, NULL); }
     | tlist_items
     ;
tlist_items: tlist_item { $$ = opd(ps, SK_OPD_TLIST, @1, NULL); add(ps, $$, $1); }
           | tlist_items COMMA tlist_item { $$ = $1; add(ps, $$, $3); }
           ;
tlist_item: field | transformer
          | STRING { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
          | NUMBER { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
          ;

rhs_num: NUMBER { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
       | tv
       ;
rhs_str: STRING { $$ = opd(ps, SK_OPD_VALUE, @1, &$1); }
       | tv
       ;
rhs_list: list
        | IDENT { $$ = opd(ps, SK_OPD_IDENT, @1, &$1); }
        | tv
        ;
rhs_mod: list
       | IDENT { $$ = opd(ps, SK_OPD_IDENT, @1, &$1); }
       ;
tv: VAL field RPAREN {
		$$ = opd(ps, SK_OPD_VAL, @$, NULL);
		$$->text = "val";
		$$->text_len = 3;
		add(ps, $$, $2);
	}
  | transformer
  ;

list: LPAREN RPAREN { $$ = opd(ps, SK_OPD_LIST, @$, NULL); }
    | LPAREN values RPAREN { $$ = $2; $$->span = sk_parse_span(ps, @$); }
    ;
values: STRING { $$ = opd(ps, SK_OPD_LIST, @1, NULL); add(ps, $$, opd(ps, SK_OPD_VALUE, @1, &$1)); }
      | values COMMA STRING { $$ = $1; add(ps, $$, opd(ps, SK_OPD_VALUE, @3, &$3)); }
      ;

%%

/* Lexical errors arrive as the LEXERR token with their message in PS; anything else the lexer
 * let through is named with the readable token names above. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, struct sk_pstate *ps)
{
	(void)scanner;
	yysymbol_kind_t tok = yypcontext_token(ctx);
	if (tok == YYSYMBOL_LEXERR && ps->err) {
		sk_parse_error(ps, ps->err_loc, "%s", ps->err);
		return 0;
	}
	yysymbol_kind_t exp[4];
	int n = yypcontext_expected_tokens(ctx, exp, 4);
	const sk_loc *l = yypcontext_location(ctx);
	if (n <= 0 || n > 3) {
		sk_parse_error(ps, *l, "unexpected %s", yysymbol_name(tok));
	} else {
		char buf[256];
		size_t k = 0;
		for (int i = 0; i < n; i++)
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s",
					      i == 0 ? "" : i == n - 1 ? " or " : ", ",
					      yysymbol_name(exp[i]));
		sk_parse_error(ps, *l, "unexpected %s; expected %s", yysymbol_name(tok), buf);
	}
	return 0;
}

static void skc_error(sk_loc *l, yyscan_t scanner, struct sk_pstate *ps, const char *msg)
{
	(void)scanner;
	/* Only "memory exhausted" comes here (parse.error custom reports the rest). */
	sk_parse_error(ps, *l, "condition too deeply nested (%s)", msg);
}
