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

/* The key file, the staged new key (being announced) and the ready one
 * (announced in every initiative, about to be installed). */
static void key_paths(const char *datadir, char key[DATADIR_PATH_MAX],
		      char staged[DATADIR_PATH_MAX + 6], char ready[DATADIR_PATH_MAX + 6])
{
	datadir_file(datadir, DATADIR_KEY, key);
	snprintf(staged, DATADIR_PATH_MAX + 6, "%s.new", key);
	snprintf(ready, DATADIR_PATH_MAX + 6, "%s.ready", key);
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

/* Whether the store holds a succession by old_key naming new_key, in
 * network (NULL: in any). 0 or the store's error. */
static int announced(struct store *s, const uint8_t *network, const uint8_t old_key[32],
		     const uint8_t new_key[32], bool *found)
{
	struct find_succession f = {.new_key = new_key};
	struct store_query q = {.network = network, .author = old_key, .type = "succession",
				.unchecked = true};
	int rc = store_scan(s, &q, on_succession, &f);

	*found = f.found;
	return f.found || rc == 0 ? 0 : rc;
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

/* The new key: the staged one when a succession already names it (an
 * earlier call announced it in some initiatives), else a fresh one
 * written to staged. */
static int new_key(struct node *n, const char *staged, const char *passphrase,
		   struct keys_identity *new_id, char *why, size_t whylen)
{
	uint8_t pk[32];
	char text[ID_TEXT_MAX];
	bool found = false;
	int rc;

	if (keyfile_read_public(staged, pk, NULL, why, whylen) == 0 &&
	    announced(n->store, NULL, n->id.pk, pk, &found) == 0 && found) {
		if ((rc = keyfile_read(staged, passphrase, new_id, why, whylen)) != 0) {
			id_encode(ID_KEY, pk, text);
			snprintf(why, whylen,
				 "a rotation to %s is half done: give the passphrase it was started with (%s)",
				 text, pakt_strerror(rc));
		}
		return rc;
	}
	(void)unlink(staged);   /* a leftover of a rotation that never announced */
	if ((rc = keys_generate(new_id)) != 0) {
		snprintf(why, whylen, "cannot make a new key: %s", pakt_strerror(rc));
		return rc;
	}
	if ((rc = keyfile_write(staged, new_id, passphrase, why, whylen)) != 0)
		keys_free(new_id);
	return rc;
}

int rotate_key(struct node *n, const char *passphrase, size_t *n_nets, char *why, size_t whylen)
{
	char key[DATADIR_PATH_MAX], staged[DATADIR_PATH_MAX + 6], ready[DATADIR_PATH_MAX + 6],
	     old_id[ID_TEXT_MAX], new_text[ID_TEXT_MAX], nwhy[256] = "";
	struct keys_identity new_id = {0};
	size_t told = 0, failed = 0;
	bool done;
	int rc;

	*n_nets = 0;
	key_paths(n->datadir, key, staged, ready);
	if ((rc = new_key(n, staged, passphrase, &new_id, why, whylen)) != 0)
		return rc;
	for (struct repl_net *rn = n->nets; rn; rn = rn->next) {
		char ewhy[256] = "";

		if ((rc = announced(n->store, rn->id, n->id.pk, new_id.pk, &done)) != 0) {
			snprintf(ewhy, sizeof ewhy, "reading the store: %s", store_errmsg(n->store));
		} else if (done) {
			told++;         /* by an earlier, half-done call */
			continue;
		} else if (roster_find(&rn->members, n->id.pk) == NULL) {
			continue;
		} else if ((rc = announce(n, rn, &new_id, ewhy, sizeof ewhy)) == 0) {
			told++;
			continue;
		}
		if (failed++ == 0)
			snprintf(nwhy, sizeof nwhy, "%s", ewhy);
		log_err("key rotation: succession not stored in an initiative: %s", ewhy);
	}
	if (failed > 0) {
		keys_free(&new_id);
		if (told == 0) {        /* announced nowhere: nothing changes */
			(void)unlink(staged);
			snprintf(why, whylen, "could not store the succession entry: %s", nwhy);
			return PAKT_EIO;
		}
		/* All or nothing: the old key stays until every initiative
		 * holds the succession, and the next call finishes with the
		 * same new key (the staged file is kept). */
		snprintf(why, whylen,
			 "the succession could not be stored in %zu of %zu initiatives (%s); the key is not changed: run pakt key rotate again, with the same passphrase, to finish",
			 failed, told + failed, nwhy);
		return PAKT_EIO;
	}
	/* ready: announced everywhere, so a crash from here on installs it */
	if ((rc = keyfile_install(staged, ready, why, whylen)) != 0 ||
	    (rc = keyfile_install(ready, key, why, whylen)) != 0) {
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
	log_info("identity key rotated: %s is now %s (%zu initiative%s told)", old_id, new_text,
		 told, told == 1 ? "" : "s");
	*n_nets = told;
	return 0;
}

int rotate_recover(const char *datadir, struct store *s, char *why, size_t whylen)
{
	char key[DATADIR_PATH_MAX], staged[DATADIR_PATH_MAX + 6], ready[DATADIR_PATH_MAX + 6],
	     text[ID_TEXT_MAX];
	uint8_t old_pk[32], new_pk[32];
	bool found;
	int rc;

	key_paths(datadir, key, staged, ready);
	if (access(ready, F_OK) == 0) {
		log_warn("finishing a key rotation interrupted by a crash: installing %s", ready);
		return keyfile_install(ready, key, why, whylen);
	}
	if (access(staged, F_OK) != 0)
		return 0;
	if ((rc = keyfile_read_public(key, old_pk, NULL, why, whylen)) != 0 ||
	    (rc = keyfile_read_public(staged, new_pk, NULL, why, whylen)) != 0)
		return rc;
	if ((rc = announced(s, NULL, old_pk, new_pk, &found)) != 0) {
		snprintf(why, whylen, "reading the store: %s", store_errmsg(s));
		return rc;
	}
	if (!found) {
		log_warn("dropping %s: a key rotation was interrupted before it was announced", staged);
		(void)unlink(staged);
		return 0;
	}
	/* announced in some initiatives only: keep the old key, and the
	 * staged one for pakt key rotate to finish with */
	id_encode(ID_KEY, new_pk, text);
	log_warn("a key rotation to %s is half done (not every initiative holds its succession): the old key stays in use until pakt key rotate finishes it",
		 text);
	return 0;
}
