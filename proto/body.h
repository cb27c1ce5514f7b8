/* Entry bodies: building and validating the canonical msgpack map of each
 * entry type (schemas in proto/PROTOCOL.md). Parsers and body_validate are
 * in body.c (agenda and update: body_measure.c), builders in body_build.c. */
#ifndef PAKT_BODY_H
#define PAKT_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/mpx.h"

#define BODY_TEXT_MAX 8192    /* bytes of a message text */
#define BODY_NAME_MAX 128     /* bytes of a name */
#define BODY_ADMINS_MAX 16

/* message: {"text": str, "reply_to": bin32 (optional)}. reply_to may be NULL.
 * Appends the map to o. Returns 0 or PAKT_ETOOBIG / PAKT_EUTF8. */
int body_message(struct mpx_out *o, const char *text, const uint8_t *reply_to);

/* genesis: {"admins": [bin32...], "goal": str, "name": str} */
int body_genesis(struct mpx_out *o, const char *name, const char *goal,
		 const uint8_t (*admins)[32], size_t n_admins);

/* member: admit or remove a key (valid only from an admin). */
struct body_member {
	bool add;                       /* false: remove */
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	bool admin;                     /* role "admin", else "member" */
	bool has_seq;                   /* a removal: the key's head seq as the */
	uint64_t seq;                   /* remover saw it (absent before rule 6) */
};
int body_member(struct mpx_out *o, bool add, const uint8_t key[32], const char *name,
		bool admin);
/* A removal with "seq": the removed key's entries after seq count for
 * nothing (PROTOCOL.md, "member"). */
int body_member_remove(struct mpx_out *o, const uint8_t key[32], const char *name, bool admin,
		       uint64_t seq);
/* 0 or PAKT_EBODY. */
int body_member_parse(const uint8_t *body, size_t len, struct body_member *out);

/* Validate a canonical body against the schema of type. Unknown types are
 * accepted as any canonical map (forward compatibility). Returns 0 or
 * PAKT_EBODY (with detail written to why[whylen] when why is not NULL). */
/* The entry types this version knows (PROTOCOL.md "Entry bodies"), in the
 * order a listing shows them; NULL-terminated. Others still validate as
 * any canonical map, for newer peers. */
extern const char *const body_types[];

int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen);

/* ---- collective impact (schemas: proto/PROTOCOL.md, "Bodies") ---- */

#define BODY_INDICATORS_MAX 32
#define BODY_ID_MAX 32          /* indicator ids: [a-z0-9_-]{1,32} */
#define BODY_UNIT_MAX 32
#define BODY_PARTIES_MAX 16
#define BODY_PERIOD_MAX 32
#define BODY_TITLE_MAX 256
#define BODY_REASON_MAX 1024
#define BODY_CONTACT_MAX 256
#define BODY_ADDRS_MAX 4
#define BODY_ADDR_MAX 255
#define BODY_BOXES_MAX 32
#define BODY_SEALED_MAX 12288   /* bytes of a sealed message's ciphertext */
#define BODY_HEADS_MAX 1024

/* How an indicator's values combine (PROTOCOL.md, "agenda"; core/measure.h). */
enum body_kind {
	BODY_COUNT = 0,         /* done in a period: adds up (the key is absent) */
	BODY_LEVEL,             /* a state at a moment: latest per organisation */
	BODY_RATIO,             /* numerator / denominator, combined by parts */
};
/* What an indicator answers (Results-Based Accountability). */
enum body_about {
	BODY_ABOUT_NONE = 0,    /* not said (the key is absent) */
	BODY_POPULATION,        /* a condition of the whole community */
	BODY_HOW_MUCH,          /* performance measures of the partners' work */
	BODY_HOW_WELL,
	BODY_BETTER_OFF,
};
/* Wire names, indexed by the enums (NULL-terminated; [0] of abouts is ""). */
extern const char *const body_kinds[];
extern const char *const body_abouts[];

#define BODY_MILESTONES_MAX 12
#define BODY_CATEGORIES_MAX 16  /* categories of a dimension */
#define BODY_CATEGORY_MAX 24    /* bytes of a category: no ',' ':' '=' or control */
#define BODY_CELLS_MAX 32       /* split cells of one update, over all its values */
#define BODY_SUPPRESS_DEFAULT 5 /* an agenda without "suppress" */
#define BODY_SUPPRESS_MAX 1000

/* A value at a period: a baseline or a milestone. */
struct body_point {
	char period[BODY_PERIOD_MAX + 1];
	double value;
};

struct body_indicator {
	char id[BODY_ID_MAX + 1];
	char name[BODY_NAME_MAX + 1];
	char unit[BODY_UNIT_MAX + 1];
	bool has_target;
	double target;                  /* the final target (a ratio's in percent) */
	bool down;                      /* direction "down": lower is better */
	int kind;                       /* enum body_kind */
	int about;                      /* enum body_about */
	bool has_baseline;
	struct body_point baseline;
	struct body_point milestones[BODY_MILESTONES_MAX];  /* intermediate targets */
	size_t n_milestones;
	char dimension[BODY_ID_MAX + 1];        /* "" = no breakdown */
	char categories[BODY_CATEGORIES_MAX][BODY_CATEGORY_MAX + 1];
	size_t n_categories;
};
struct body_agenda {
	char goal[BODY_TEXT_MAX + 1];
	struct body_indicator ind[BODY_INDICATORS_MAX];
	size_t n;
	bool has_suppress;
	uint64_t suppress;              /* absent: BODY_SUPPRESS_DEFAULT */
};
/* One category's share of a value. */
struct body_cell {
	char category[BODY_CATEGORY_MAX + 1];
	double value;
};
struct body_value {
	char indicator[BODY_ID_MAX + 1];
	double value;                   /* a ratio's numerator */
	bool has_den;
	double den;                     /* a ratio's denominator, > 0 */
	uint8_t split, n_split;         /* the update's cell[split .. split + n_split) */
};
struct body_update {
	char period[BODY_PERIOD_MAX + 1];
	char text[BODY_TEXT_MAX + 1];
	struct body_value v[BODY_INDICATORS_MAX];
	size_t n;
	struct body_cell cell[BODY_CELLS_MAX];
	size_t n_cells;
};
struct body_commitment {
	char title[BODY_TITLE_MAX + 1];
	char description[BODY_TEXT_MAX + 1];   /* "" = absent */
	char due[11];                           /* YYYY-MM-DD */
	char indicator[BODY_ID_MAX + 1];        /* "" = absent */
	bool has_target;
	double target;
	uint8_t parties[BODY_PARTIES_MAX][32];
	size_t n_parties;
};
/* accept, decline (text = reason, may be ""), redact (text = reason) */
struct body_ref {
	uint8_t ref[32];
	char text[BODY_REASON_MAX + 1];
	bool change;                    /* accept, decline: replaces the party's earlier answer */
};
struct body_status {
	uint8_t ref[32];
	char state[12];                 /* in-progress, fulfilled, missed, withdrawn */
	char note[BODY_TEXT_MAX + 1];   /* "" = absent */
	bool has_evidence;
	uint8_t evidence[32];
	bool reopen;                    /* may follow a final status (PROTOCOL.md, "Lifecycle") */
};
struct body_profile {
	char name[BODY_NAME_MAX + 1];
	char sector[9];                 /* ngo, public, business, other */
	char contact[BODY_CONTACT_MAX + 1];
	char addrs[BODY_ADDRS_MAX][BODY_ADDR_MAX + 1];
	size_t n_addrs;
};
struct body_head {
	uint8_t author[32];
	uint64_t seq;
	uint8_t hash[32];
};

/* Builders append one map to o; they check the same limits as the
 * parsers (0, PAKT_EINVAL, PAKT_ETOOBIG, PAKT_EUTF8). Parsers take a
 * canonical body and return 0 or PAKT_EBODY. */
int body_agenda(struct mpx_out *o, const struct body_agenda *a);
int body_agenda_parse(const uint8_t *b, size_t len, struct body_agenda *out);
int body_update(struct mpx_out *o, const struct body_update *u);
int body_update_parse(const uint8_t *b, size_t len, struct body_update *out);
/* One indicator map, or one value map of an update, alone (the control
 * protocol's agenda.set and update carry them as the bodies do). pack
 * writes what the builders write (after their checks); read takes the
 * map's canonical bytes and returns 0 or PAKT_EBODY with a reason:
 * body_value_read appends value u->n (and its split cells) to u. */
void body_indicator_pack(msgpack_packer *pk, const struct body_indicator *ind);
int body_indicator_read(const uint8_t *b, size_t len, struct body_indicator *out, char *why,
			size_t whylen);
void body_value_pack(msgpack_packer *pk, const struct body_update *u, size_t i);
int body_value_read(const uint8_t *b, size_t len, struct body_update *u, char *why,
		    size_t whylen);
/* A category: 1..BODY_CATEGORY_MAX bytes of UTF-8 without control
 * characters, ',', ':' or '='. */
bool body_category_valid(const char *s, size_t len);
int body_commitment(struct mpx_out *o, const struct body_commitment *c);
int body_commitment_parse(const uint8_t *b, size_t len, struct body_commitment *out);
/* type: "accept", "decline" or "redact" */
int body_ref(struct mpx_out *o, const char *type, const struct body_ref *r);
int body_ref_parse(const char *type, const uint8_t *b, size_t len, struct body_ref *out);
int body_status(struct mpx_out *o, const struct body_status *st);
int body_status_parse(const uint8_t *b, size_t len, struct body_status *out);
int body_profile(struct mpx_out *o, const struct body_profile *p);
int body_profile_parse(const uint8_t *b, size_t len, struct body_profile *out);
int body_checkpoint(struct mpx_out *o, const struct body_head *heads, size_t n);
/* heads[cap]; *n gets the count */
int body_checkpoint_parse(const uint8_t *b, size_t len, struct body_head *heads, size_t cap,
			  size_t *n);

/* succession {"new": bin32, "proof": bin64} and revoke {"after": uint,
 * "key": bin32, "reason": str}: see proto/keyroll.h. proof points into
 * the parsed body. */
struct body_succession {
	uint8_t new_key[32];
	const uint8_t *proof;           /* 64 bytes */
};
struct body_revoke {
	uint64_t after;                 /* the key's entries after this seq are untrusted */
	uint8_t key[32];
	char reason[BODY_REASON_MAX + 1];
};
int body_succession(struct mpx_out *o, const struct body_succession *s);
int body_succession_parse(const uint8_t *b, size_t len, struct body_succession *out);
int body_revoke(struct mpx_out *o, const struct body_revoke *r);
int body_revoke_parse(const uint8_t *b, size_t len, struct body_revoke *out);

/* Sealed bodies: proto/sealed.h. Dates and periods: proto/date.h. */

#endif
