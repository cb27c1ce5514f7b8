/* Key rotation, crash-safe (see rotate.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "daemon/log.h"
#include "daemon/repl.h"
#include "daemon/rotate.h"
#include "keys/datadir.h"
#include "keys/keyfile.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/keyroll.h"

static void key_paths(const char *datadir, char key[DATADIR_PATH_MAX],
		      char staged[DATADIR_PATH_MAX + 4])
{
	datadir_file(datadir, DATADIR_KEY, key);
	snprintf(staged, DATADIR_PATH_MAX + 4, "%s.new", key);
}

/* Append our succession to new_id in network rn. */
static int announce(struct node *n, struct repl_net *rn, const struct keys_identity *new_id,
		    char *why, size_t whylen)
{
	struct body_succession sc;
	struct mpx_out body;
	struct entry e;
	uint8_t proof[64];
	int rc;

	keyroll_prove(proof, rn->id, n->id.pk, new_id->pk, keys_sk_open(new_id));
	keys_sk_close(new_id);
	memcpy(sc.new_key, new_id->pk, 32);
	sc.proof = proof;
	mpx_init(&body);
	rc = body_succession(&body, &sc);
	if (rc == 0)
		rc = node_append(n, rn->id, "succession", (const uint8_t *)body.sb.data, body.sb.size,
				 &e, why, whylen);
	mpx_free(&body);
	return rc;
}

/* From now on sign and handshake as new_id (taken over; old secret wiped). */
static int switch_identity(struct node *n, struct keys_identity *new_id)
{
	int rc;

	keys_free(&n->id);
	n->id = *new_id;
	memset(new_id, 0, sizeof *new_id);
	if (n->x_sk == NULL)
		return 0;
	sodium_mprotect_readwrite(n->x_sk);
	rc = keys_to_x25519(&n->id, n->x_pk, n->x_sk);
	sodium_mprotect_noaccess(n->x_sk);
	return rc;
}

int rotate_key(struct node *n, const char *passphrase, size_t *n_nets, char *why, size_t whylen)
{
	char key[DATADIR_PATH_MAX], staged[DATADIR_PATH_MAX + 4], old_id[ID_TEXT_MAX],
	     new_text[ID_TEXT_MAX];
	struct keys_identity new_id = {0};
	size_t told = 0, failed = 0;
	int rc;

	*n_nets = 0;
	key_paths(n->datadir, key, staged);
	if ((rc = keys_generate(&new_id)) != 0) {
		snprintf(why, whylen, "cannot make a new key: %s", pakt_strerror(rc));
		return rc;
	}
	(void)unlink(staged);   /* a leftover of a rotation that never announced */
	if ((rc = keyfile_write(staged, &new_id, passphrase, why, whylen)) != 0) {
		keys_free(&new_id);
		return rc;
	}
	for (struct repl_net *rn = n->nets; rn; rn = rn->next) {
		char nwhy[256] = "";

		if (roster_find(&rn->members, n->id.pk) == NULL)
			continue;
		if (announce(n, rn, &new_id, nwhy, sizeof nwhy) == 0) {
			told++;
			continue;
		}
		failed++;
		log_err("key rotation: succession not stored in an initiative: %s", nwhy);
		if (told == 0) {   /* nothing announced yet: nothing changes */
			(void)unlink(staged);
			keys_free(&new_id);
			snprintf(why, whylen, "could not store the succession entry: %s", nwhy);
			return PAKT_EIO;
		}
	}
	if ((rc = keyfile_install(staged, key, why, whylen)) != 0) {
		/* announced but not installed: the next start settles it */
		log_err("key rotation: %s; restart paktd to finish the rotation", why);
		keys_free(&new_id);
		return rc;
	}
	id_encode(ID_KEY, n->id.pk, old_id);
	id_encode(ID_KEY, new_id.pk, new_text);
	if ((rc = switch_identity(n, &new_id)) != 0) {
		snprintf(why, whylen, "cannot derive the transport key: %s", pakt_strerror(rc));
		return rc;
	}
	log_info("identity key rotated: %s is now %s (%zu initiative%s told%s)", old_id, new_text,
		 told, told == 1 ? "" : "s", failed ? ", some failed: see above" : "");
	*n_nets = told;
	if (failed) {
		snprintf(why, whylen, "%zu initiative%s could not be told: see the daemon log", failed,
			 failed == 1 ? "" : "s");
		return PAKT_EIO;
	}
	return 0;
}

struct find_succession {
	const uint8_t *new_key;
	bool found;
};

static int on_succession(void *arg, const struct store_row *row)
{
	struct find_succession *f = arg;
	struct body_succession sc;

	if (row->body != NULL && body_succession_parse(row->body, row->body_len, &sc) == 0 &&
	    memcmp(sc.new_key, f->new_key, 32) == 0)
		f->found = true;
	return f->found;
}

int rotate_recover(const char *datadir, struct store *s, char *why, size_t whylen)
{
	char key[DATADIR_PATH_MAX], staged[DATADIR_PATH_MAX + 4];
	uint8_t old_pk[32], new_pk[32];
	struct find_succession f = {.new_key = new_pk};
	struct store_query q = {.author = old_pk, .type = "succession"};
	int rc;

	key_paths(datadir, key, staged);
	if (access(staged, F_OK) != 0)
		return 0;
	if ((rc = keyfile_read_public(key, old_pk, NULL, why, whylen)) != 0 ||
	    (rc = keyfile_read_public(staged, new_pk, NULL, why, whylen)) != 0)
		return rc;
	if ((rc = store_scan(s, &q, on_succession, &f)) != 0 && !f.found) {
		snprintf(why, whylen, "reading the store: %s", store_errmsg(s));
		return rc;
	}
	if (!f.found) {
		log_warn("dropping %s: a key rotation was interrupted before it was announced", staged);
		(void)unlink(staged);
		return 0;
	}
	log_warn("finishing a key rotation interrupted by a crash: installing %s", staged);
	return keyfile_install(staged, key, why, whylen);
}
