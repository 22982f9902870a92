/* formats/erase_config.h: the --config filter file (makedumpfile.conf(5)) parsed into erase commands. */
#ifndef CS_ERASE_CONFIG_H
#define CS_ERASE_CONFIG_H

#include "core/error.h"
#include "core/types.h"

/*
 * The grammar (makedumpfile.conf(5)); tokens are separated by blanks, a
 * command may span lines, '#' starts a comment to the end of the line:
 *
 *   "[" NAME "]"                         a section: vmlinux (the default) or a module
 *   erase EXPR [size N[K|M] | size EXPR | nullify]
 *   for ID in EXPR [via MEMBER | within STRUCT[:MEMBER]]
 *       erase ID[.member...] [size ...|nullify]   (one or more, ID first)
 *   endfor
 *
 * EXPR is SYMBOL[.member[.member...]], each part a C identifier. In a loop,
 * a size EXPR may start with ID too. `within STRUCT` without a member means
 * the member "list", as in makedumpfile. Every error is one line
 * "FILE:LINE: message".
 */

/* SYMBOL.member.member: the dotted parts, each NUL-terminated. */
struct cs_erase_expr {
	char **part;
	size_t nparts;
};

enum cs_erase_size_kind {
	CS_ERASE_SIZE_TYPE,    /* no size given: the object's size from DWARF */
	CS_ERASE_SIZE_VALUE,   /* size N[K|M] */
	CS_ERASE_SIZE_EXPR,    /* size EXPR: the integer stored there */
	CS_ERASE_NULLIFY,      /* nullify: zero the pointer itself */
};

struct cs_erase_cmd {
	unsigned line;
	struct cs_erase_expr target;
	enum cs_erase_size_kind size_kind;
	uint64_t size_value;          /* CS_ERASE_SIZE_VALUE, bytes (> 0) */
	struct cs_erase_expr size_expr; /* CS_ERASE_SIZE_EXPR */
};

enum cs_erase_loop_kind {
	CS_ERASE_LOOP_ARRAY,   /* for ID in ARRAY */
	CS_ERASE_LOOP_VIA,     /* for ID in STRUCT_VAR via NEXT_MEMBER */
	CS_ERASE_LOOP_WITHIN,  /* for ID in LISTHEAD within STRUCT:MEMBER */
};

struct cs_erase_loop {
	char *id;
	enum cs_erase_loop_kind kind;
	struct cs_erase_expr list;
	char *via_member;             /* CS_ERASE_LOOP_VIA */
	char *struct_name;            /* CS_ERASE_LOOP_WITHIN */
	char *list_member;            /* CS_ERASE_LOOP_WITHIN ("list" when not given) */
	struct cs_erase_cmd *body;
	size_t nbody;
};

struct cs_erase_filter {
	unsigned line;
	const char *section;          /* "vmlinux" or a module name (owned by the config) */
	bool is_loop;
	struct cs_erase_cmd erase;    /* !is_loop */
	struct cs_erase_loop loop;    /* is_loop */
};

struct cs_erase_config {
	char *path;                   /* for messages: "PATH:LINE: ..." */
	struct cs_erase_filter *filter;
	size_t nfilters;
	char *arena;                  /* the text, tokens cut in place: every string points here */
};

/*
 * Parse text[0..len) (need not be NUL-terminated); path names it in
 * messages. On failure *cfg is empty (nothing to free) and err says
 * "PATH:LINE: message".
 */
cs_status cs_erase_config_parse(const char *path, const char *text, size_t len,
				struct cs_erase_config *cfg, struct cs_err *err);
/* Read the file at path and parse it. */
cs_status cs_erase_config_load(const char *path, struct cs_erase_config *cfg, struct cs_err *err);
void cs_erase_config_free(struct cs_erase_config *cfg);

/* Set err to "PATH:LINE: message", the form of every --config error; returns status. */
cs_status cs_erase_config_err(struct cs_err *err, cs_status status, const char *path, unsigned line,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
