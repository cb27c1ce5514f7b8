/* An adversarial test peer for paktd (tests/integration/adversary.sh).
 *
 *   peer --key FILE --network nw_... --connect HOST:PORT --mode MODE
 *        [--seed-feed N] [--text PREFIX] [--wait-ms MS]
 *
 * It loads a member identity from a pakt key file, dials, sends the
 * preamble, runs the Noise XX handshake as initiator (prologue
 * wire_prologue(network), hello {"ed", "v"} in msg2) and then misbehaves
 * as MODE says:
 *
 *   honest          a control: the next entry of its own feed, valid
 *   bad-signature   the next entry of its own feed with a corrupted signature
 *   broken-chain    the next entry with a prev hash that is not its predecessor's
 *   bad-signature-linked
 *                   the next entry with a corrupted signature, followed in the
 *                   same batch by a validly signed entry whose prev is the
 *                   hash of the bad one (only the last signature is "needed"
 *                   to authenticate the chain: the bad one must still not be
 *                   stored)
 *   fork            two valid entries at the next seq with different bodies,
 *                   one batch each
 *   fork-same-batch the same two entries in one batch
 *   oversize-frame  a frame header of 65535 and 65535 bytes of garbage
 *   garbage         random bytes (more than one maximal frame) after the handshake
 *   slow-handshake  the preamble, then msg0 one byte every 500 ms
 *   silent          connect and send nothing
 *   wrong-network   the preamble and handshake for a random network id
 *   replay-handshake
 *                   a full handshake, then the same msg0 and msg2 bytes replayed
 *                   on a second connection (the daemon's new ephemeral key
 *                   makes the old msg2 undecryptable)
 *   replay-other    --victim pk_: the victim's newest entry sent back as is (a
 *                   duplicate), then its oldest with seq and prev forged to
 *                   follow the victim's head, under the victim's old signature
 *   backdated       the next entry of its own feed, dated 1 h before its predecessor
 *   huge-clock      a clock claiming every feed (and ~1400 unknown ones) at seq
 *                   2^53, then reads whatever comes and sends nothing
 *   tiny-frames     --count N empty entries messages (a few dozen bytes each),
 *                   written as fast as the socket takes them
 *   no-read         a 4 KiB receive buffer, a clock asking for everything, then
 *                   it reads nothing for --wait-ms
 *   bulk            --count N valid entries of its own feed with --size bytes of
 *                   text each, in frame-sized batches
 *   flood-connect   --count N TCP connections at once (from --bind ADDR), held
 *                   open for --wait-ms; counts those the daemon closed
 *   invite-guess    --count N connections in turn, each redeeming a random
 *                   invite secret (run with a non-member's key)
 *   relay-stripped  --source ADDR --victim pk_: first fetches every entry of
 *                   the victim from the daemon at ADDR, then relays to the
 *                   target those it lacks, each without its body (a relay
 *                   stripping a membership change: rule 1); with --then-full,
 *                   then every entry of the victim with its body, in a second
 *                   batch (a full copy of what the target holds bodiless)
 *   redact-preempt  --source ADDR --victim pk_: fetches the victim's newest
 *                   entry from ADDR, then sends the target, in its own feed,
 *                   a redact naming that entry before the target holds it
 *                   (a redaction of another author's entry: rule 2)
 *   stranger-feeds  --count N entries, each the first of a feed under a fresh
 *                   key that never was a member (rule 3)
 *   have-v1         a "have" (replication version 2) on its version-1 link
 *   wait-after-handshake
 *                   a full handshake, then nothing for --wait-ms (run with a
 *                   non-member's key: the invite deadline)
 *   many-feeds      --count N one-entry feeds under fresh keys, in batches
 *   count-clock     a full handshake, then counts the daemon's clock
 *                   messages and the feeds they list for --wait-ms
 *   second-session  a replicating session, then a second connection with
 *                   the same key while the first stays open
 *   answer-as-other --connect is a listen address (port 0: any): answers
 *                   the first dial as a responder with its own key, and
 *                   reports whether the dialler sent handshake message 3
 *   answer-succession
 *                   the same under a fresh key, whose hello carries a
 *                   valid succession by this member naming the fresh key
 *
 * --skew-ms N (honest mode) dates the entry N ms from now (negative: past).
 * --type TYPE --body-hex HEX (honest mode) make the entry of that type with
 * that body (canonical msgpack, in hex) instead of a message: a member that
 * signs what an honest pakt refuses (an answer after a final status...).
 * --repl 2 makes its hello say replication version 2 ("r": 2; default 1,
 * no "r"): a daemon then takes its batches as from a version-2 peer.
 * --seed-feed N puts N valid entries of its own feed first in the batch that
 * carries the bad entry (to check that nothing of a rejected batch is kept).
 * The next seq is what the daemon's clock says it has of our feed, plus one;
 * the predecessor's hash comes from the entries the daemon streams back.
 *
 * It reports on stdout what happened, one fact a line ("local ADDR",
 * "clock: own feed at seq N", "sent ...", "closed by peer after N ms" or
 * "still open after N ms", messages received), and exits 0 when it ran its
 * scenario, 1 when it could not (bad arguments, key, connect, handshake of
 * a mode that needs one): the verdict is the test's job. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "keys/keyfile.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/keyroll.h"
#include "proto/mpx.h"
#include "proto/noise.h"
#include "proto/wire.h"
#include "proto/wire_run.h"

/* ---- output ---- */

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("peer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the connection ---- */

struct conn {
	int fd;
	bool closed;                  /* EOF or reset seen */
	const char *how;              /* how it closed */
	uint64_t closed_at;
	uint8_t *in;
	size_t in_len;
	struct noise_cipher tx, rx;
};

#define IN_CAP (4 * (2 + WIRE_FRAME_MAX))

static void mark_closed(struct conn *c, const char *how)
{
	if (!c->closed) {
		c->closed = true;
		c->how = how;
		c->closed_at = now_ms();
	}
}

/* Write everything; false if the peer has closed (EPIPE/ECONNRESET). */
static bool send_all(struct conn *c, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			mark_closed(c, errno == EPIPE ? "EPIPE on write" :
				    errno == ECONNRESET ? "reset on write" : "write error");
			return false;
		}
		b += w;
		n -= (size_t)w;
	}
	return true;
}

/* Read what is available, waiting at most until deadline (ms, monotonic).
 * Returns 1 if bytes came in, 0 on timeout, -1 once closed. */
static int fill(struct conn *c, uint64_t deadline)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	uint64_t t = now_ms();
	int r;

	if (c->closed)
		return -1;
	r = poll(&pfd, 1, deadline > t ? (int)(deadline - t) : 0);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0)
		return 0;
	if (c->in_len == IN_CAP)
		die("input buffer full");
	ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
	if (n == 0) {
		mark_closed(c, "EOF");
		return -1;
	}
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		mark_closed(c, errno == ECONNRESET ? "reset" : "read error");
		return -1;
	}
	c->in_len += (size_t)n;
	return 1;
}

/* One frame into out (at least WIRE_FRAME_MAX bytes). 1: got one, 0:
 * timeout, -1: closed. */
static int read_frame(struct conn *c, uint8_t *out, size_t *len, uint64_t deadline)
{
	for (;;) {
		if (c->in_len >= 2) {
			size_t n = (size_t)c->in[0] << 8 | c->in[1];

			if (c->in_len >= 2 + n) {
				memcpy(out, c->in + 2, n);
				*len = n;
				memmove(c->in, c->in + 2 + n, c->in_len - 2 - n);
				c->in_len -= 2 + n;
				return 1;
			}
		}
		int r = fill(c, deadline);
		if (r <= 0)
			return r;
	}
}

static bool send_frame_raw(struct conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};

	return send_all(c, hdr, 2) && send_all(c, msg, len);
}

static bool send_msg(struct conn *c, const struct mpx_out *o)
{
	static uint8_t ct[WIRE_FRAME_MAX];

	if (o->sb.size + NOISE_TAG_LEN > WIRE_FRAME_MAX)
		die("message of %zu bytes does not fit a frame", o->sb.size);
	if (noise_encrypt(&c->tx, (const uint8_t *)o->sb.data, o->sb.size, ct) != 0)
		die("encrypt failed");
	return send_frame_raw(c, ct, o->sb.size + NOISE_TAG_LEN);
}

static const char *bind_addr;     /* --bind: source address of connections */
static int rcvbuf;                /* no-read: a small receive buffer */

static int dial(const char *addr)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd, one = 1;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof host)
		die("--connect wants HOST:PORT (IPv4)");
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("bad IPv4 address '%s'", host);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (rcvbuf > 0)   /* before connect: it sets the window we announce */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (bind_addr) {
		struct sockaddr_in b = {.sin_family = AF_INET};

		if (inet_pton(AF_INET, bind_addr, &b.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&b, sizeof b) != 0)
			die("bind %s: %s", bind_addr, strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect %s: %s", addr, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* ---- state of the scenario ---- */

static struct keys_identity me;
static uint8_t network[32];
static struct conn C;
static uint64_t t_connect;
static struct wire_scratch scratch;
static uint8_t frame[WIRE_FRAME_MAX];
static uint8_t plain[WIRE_FRAME_MAX];

static bool got_clock;
static bool own_skipped;
static uint8_t victim[32];        /* replay-other */
static bool has_victim;
static struct wire_e_copy { uint8_t buf[ENTRY_WIRE_MAX]; size_t len; uint64_t seq; bool have; }
	victim_old, victim_new;
static uint64_t entries_seen;     /* entries the daemon sent us */
static uint64_t head_ts;          /* timestamp of our own head entry */
static char last_bye[256];        /* the reason of the daemon's last bye */
static struct wire_clock_item *daemon_feeds;   /* the daemon's clock, for huge-clock */
static size_t n_daemon_feeds;
static uint64_t own_seq;          /* what the daemon has of our feed */
static bool collect_all;          /* --source: keep every entry of the victim */
static struct wire_e_copy victim_all[64];
static size_t n_victim_all;
static unsigned clock_msgs;       /* clock messages received */
static size_t clock_listed, clock_skipped;
static bool have_head;
static uint8_t head_hash[32];

static void keep_copy(struct wire_e_copy *c, const uint8_t *p, size_t len, uint64_t seq)
{
	if (len > sizeof c->buf)
		return;
	memcpy(c->buf, p, len);
	c->len = len;
	c->seq = seq;
	c->have = true;
}

/* Handle one decrypted message from the daemon. */
static void on_message(const uint8_t *p, size_t len)
{
	struct wire_msg m;
	char why[128];
	char id[ID_TEXT_MAX];

	if (wire_msg_parse(&m, &scratch, p, len, why, sizeof why) != 0) {
		say("daemon sent a malformed message: %s", why);
		return;
	}
	if (m.type == WIRE_RUN) {   /* version 2 (--repl 2): rebuilt, then as entries */
		static struct wire_run_scratch rs;
		size_t n;

		if (wire_run_decode(&m, network, &rs, &n, why, sizeof why) != 0) {
			say("daemon sent a malformed run: %s", why);
			return;
		}
		m.type = WIRE_ENTRIES;
		m.e = rs.e;
		m.e_len = rs.e_len;
		m.n_e = n;
	}
	switch (m.type) {
	case WIRE_CLOCK:
		clock_msgs++;
		clock_listed += m.n_feeds;
		clock_skipped += m.n_skip;
		/* a clock may come in parts: our feed can be in any of them */
		for (size_t i = 0; got_clock && i < m.n_feeds; i++)
			if (memcmp(m.feeds[i].author, me.pk, 32) == 0)
				own_seq = m.feeds[i].seq;
		if (!got_clock) {
			daemon_feeds = calloc(m.n_feeds + 1, sizeof *daemon_feeds);
			for (size_t i = 0; daemon_feeds && i < m.n_feeds; i++) {
				uint8_t *a = malloc(32);

				if (a)
					memcpy(a, m.feeds[i].author, 32);
				daemon_feeds[n_daemon_feeds].author = a;
				daemon_feeds[n_daemon_feeds++].seq = m.feeds[i].seq;
			}
			for (size_t i = 0; i < m.n_feeds; i++)
				if (memcmp(m.feeds[i].author, me.pk, 32) == 0)
					own_seq = m.feeds[i].seq;
			for (size_t i = 0; i < m.n_skip; i++)
				if (memcmp(m.skip[i], me.pk, 32) == 0)
					own_skipped = true;
			if (own_skipped)
				say("clock: own feed skipped (%zu feeds, %zu skipped)", m.n_feeds, m.n_skip);
			else
				say("clock: own feed at seq %llu (%zu feeds, %zu skipped)",
				    (unsigned long long)own_seq, m.n_feeds, m.n_skip);
		}
		got_clock = true;
		break;
	case WIRE_ENTRIES:
		for (size_t i = 0; i < m.n_e; i++) {
			struct entry e;

			if (entry_decode(&e, m.e[i], m.e_len[i]) != 0)
				continue;
			entries_seen++;
			if (memcmp(e.h.author, me.pk, 32) == 0 && e.h.seq == own_seq) {
				memcpy(head_hash, e.hash, 32);
				head_ts = e.h.timestamp;
				have_head = true;
			}
			if (collect_all && has_victim && memcmp(e.h.author, victim, 32) == 0 &&
			    n_victim_all < sizeof victim_all / sizeof victim_all[0]) {
				bool dup = false;

				for (size_t k = 0; k < n_victim_all; k++)
					dup = dup || victim_all[k].seq == e.h.seq;
				if (!dup)
					keep_copy(&victim_all[n_victim_all++], m.e[i], m.e_len[i], e.h.seq);
			}
			if (has_victim && memcmp(e.h.author, victim, 32) == 0) {
				if (!victim_old.have || e.h.seq < victim_old.seq)
					keep_copy(&victim_old, m.e[i], m.e_len[i], e.h.seq);
				if (!victim_new.have || e.h.seq > victim_new.seq)
					keep_copy(&victim_new, m.e[i], m.e_len[i], e.h.seq);
			}
		}
		break;
	case WIRE_FORK: {
		struct entry a;

		if (entry_decode(&a, m.e[0], m.e_len[0]) == 0) {
			id_encode(ID_KEY, a.h.author, id);
			say("got fork proof for %s seq %llu", id, (unsigned long long)a.h.seq);
		} else {
			say("got an undecodable fork proof");
		}
		break;
	}
	case WIRE_BYE:
		say("daemon said bye: %.*s", (int)m.reason_len, m.reason ? m.reason : "");
		snprintf(last_bye, sizeof last_bye, "%.*s", (int)m.reason_len, m.reason ? m.reason : "");
		break;
	default:
		say("daemon sent message type %d", (int)m.type);
		break;
	}
}

/* Read and handle transport messages until deadline or close. stop (may be
 * NULL) ends it early when it becomes true. Returns -1 if closed. */
static int pump_until(uint64_t deadline, const bool *stop)
{
	size_t len;

	while (stop == NULL || !*stop) {
		int r = read_frame(&C, frame, &len, deadline);

		if (r <= 0)
			return r;
		if (noise_decrypt(&C.rx, frame, len, plain) != 0) {
			say("could not decrypt a frame from the daemon");
			continue;
		}
		on_message(plain, len - NOISE_TAG_LEN);
	}
	return 0;
}

/* Watch the connection for wait_ms after the attack: report close or not. */
static unsigned repl_version = 1;   /* --repl: the version its hello says */

static void watch(uint64_t since, unsigned wait_ms, bool encrypted)
{
	uint64_t deadline = now_ms() + wait_ms;

	if (encrypted) {
		pump_until(deadline, NULL);
	} else {
		while (fill(&C, deadline) > 0)
			C.in_len = 0;   /* whatever it sent in clear: not ours to parse */
	}
	if (C.closed)
		say("closed by peer after %llu ms (%s)", (unsigned long long)(C.closed_at - since), C.how);
	else
		say("still open after %llu ms", (unsigned long long)(now_ms() - since));
}

/* ---- handshake ---- */

static void send_preamble(const uint8_t net[32])
{
	uint8_t pre[WIRE_PREAMBLE_LEN];

	wire_preamble(net, pre);
	send_all(&C, pre, sizeof pre);
}

static void hs_init(struct noise_hs *hs, const uint8_t net[32])
{
	uint8_t prologue[38], x_pk[32], x_sk[32];
	size_t plen = wire_prologue(net, prologue);

	if (keys_to_x25519(&me, x_pk, x_sk) != 0)
		die("keys_to_x25519 failed");
	if (noise_hs_init(hs, true, prologue, plen, x_sk, NULL, NULL) != 0)
		die("noise_hs_init failed");
	sodium_memzero(x_sk, sizeof x_sk);
}

/* The initiator's handshake messages of the last handshake (replay-handshake). */
static uint8_t rec_msg0[128], rec_msg2[512];
static size_t rec_msg0_len, rec_msg2_len;

/* The full handshake. false if the daemon closed during it. */
static bool handshake(void)
{
	struct noise_hs hs;
	uint8_t msg[512], payload[512], daemon_pk[32];
	size_t len, plen;
	struct mpx_out hello;
	char id[ID_TEXT_MAX];

	send_preamble(network);
	hs_init(&hs, network);
	if (noise_hs_write(&hs, NULL, 0, msg, sizeof msg, &len) != 0)
		die("msg0 write failed");
	memcpy(rec_msg0, msg, len);
	rec_msg0_len = len;
	if (!send_frame_raw(&C, msg, len))
		return false;
	if (read_frame(&C, frame, &len, now_ms() + 5000) <= 0) {
		say("no msg1 from the daemon");
		return false;
	}
	if (noise_hs_read(&hs, frame, len, payload, sizeof payload, &plen) != 0) {
		say("msg1 did not authenticate");
		return false;
	}
	if (wire_hello_parse(payload, plen, daemon_pk) == 0) {
		id_encode(ID_KEY, daemon_pk, id);
		say("daemon is %s", id);
	}
	mpx_init(&hello);
	wire_hello_succ(&hello, me.pk, NULL, 0, repl_version);
	if (noise_hs_write(&hs, (const uint8_t *)hello.sb.data, hello.sb.size, msg, sizeof msg,
			   &len) != 0)
		die("msg2 write failed");
	mpx_free(&hello);
	memcpy(rec_msg2, msg, len);
	rec_msg2_len = len;
	if (!send_frame_raw(&C, msg, len))
		return false;
	if (noise_hs_split(&hs, &C.tx, &C.rx, NULL) != 0)
		die("split failed");
	say("handshake done");
	return true;
}

/* After the handshake: the daemon's clock, our own clock, and the hash of
 * our feed's head (the daemon streams it: our clock claims one less). */
static bool sync_clocks(void)
{
	struct mpx_out o;
	struct wire_clock_item item = {.author = me.pk};

	if (pump_until(now_ms() + 3000, &got_clock) < 0 || !got_clock) {
		say("no clock from the daemon");
		return false;
	}
	/* claim everything the daemon has, except our own last entry; only
	 * our feed is listed: the daemon streams the others too, harmlessly */
	item.seq = own_seq > 0 ? own_seq - 1 : 0;
	mpx_init(&o);
	wire_clock(&o, &item, 1, NULL, 0);
	bool ok = send_msg(&C, &o);
	mpx_free(&o);
	if (!ok)
		return false;
	say("sent clock");
	if (own_seq > 0 && !own_skipped) {
		pump_until(now_ms() + 3000, &have_head);
		if (!have_head) {
			say("did not get our own head entry (seq %llu) from the daemon",
			    (unsigned long long)own_seq);
			return false;
		}
	}
	return !C.closed;
}

/* ---- entries ---- */

struct wire_e {
	uint8_t buf[ENTRY_WIRE_MAX];
	size_t len;
	uint8_t hash[32];
};

/* A message entry of our feed at seq with prev (NULL at seq 1). */
static int64_t skew_ms;           /* --skew-ms: added to the timestamp of new entries */
static uint64_t fixed_ts;         /* if not 0: the timestamp of new entries */
static const char *raw_type;      /* --type: new entries of this type, with raw_body */
static uint8_t raw_body[16384];
static size_t raw_body_len;

static void make_entry(struct wire_e *w, uint64_t seq, const uint8_t *prev, const char *text,
		       bool corrupt_sig)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true, .seq = seq};
	struct mpx_out body;
	struct entry e;
	int rc;

	memcpy(h.network, network, 32);
	memcpy(h.author, me.pk, 32);
	if (prev) {
		h.has_prev = true;
		memcpy(h.prev, prev, 32);
	}
	h.timestamp = fixed_ts ? fixed_ts : (uint64_t)((int64_t)wall_ms() + skew_ms);
	snprintf(h.type, sizeof h.type, "%s", raw_type ? raw_type : "message");
	mpx_init(&body);
	if (raw_type != NULL)
		msgpack_sbuffer_write(&body.sb, (const char *)raw_body, raw_body_len);
	else if (body_message(&body, text, NULL) != 0)
		die("body_message failed");
	rc = entry_create(&e, &h, (const uint8_t *)body.sb.data, body.sb.size, keys_sk_open(&me));
	keys_sk_close(&me);
	if (rc != 0)
		die("entry_create: %s", pakt_strerror(rc));
	if (corrupt_sig) {
		crypto_generichash_state st;

		e.sig[17] ^= 0x40;
		crypto_generichash_init(&st, NULL, 0, 32);
		crypto_generichash_update(&st, e.header_bytes, e.header_len);
		crypto_generichash_update(&st, e.sig, PAKT_SIG_LEN);
		crypto_generichash_final(&st, e.hash, 32);
	}
	if (entry_encode(&e, true, w->buf, sizeof w->buf, &w->len) != 0)
		die("entry_encode failed");
	memcpy(w->hash, e.hash, 32);
	mpx_free(&body);
}

static bool send_batch(struct wire_e *const *es, size_t n)
{
	struct mpx_out o;
	bool ok;

	mpx_init(&o);
	wire_entries_begin(&o, n);
	for (size_t i = 0; i < n; i++)
		wire_entries_add(&o, es[i]->buf, es[i]->len);
	wire_entries_end(&o);
	ok = send_msg(&C, &o);
	mpx_free(&o);
	return ok;
}

/* ---- modes of load and replay ---- */

/* A fresh connection in C (the old one is left as it is). */
static void reconnect(const char *addr)
{
	C.fd = dial(addr);
	C.closed = false;
	C.in_len = 0;
	{
		struct sockaddr_in sa;
		socklen_t sl = sizeof sa;

		if (getsockname(C.fd, (struct sockaddr *)&sa, &sl) == 0)
			say("local2 127.0.0.1:%d", ntohs(sa.sin_port));
	}
}

static int replay_handshake(const char *addr, unsigned wait_ms)
{
	struct conn first = C;
	uint64_t t0;

	say("first connection admitted; replaying its msg0 and msg2 on a second one");
	C.in = malloc(IN_CAP);
	if (C.in == NULL)
		die("out of memory");
	reconnect(addr);
	t0 = now_ms();
	send_preamble(network);
	send_frame_raw(&C, rec_msg0, rec_msg0_len);
	if (read_frame(&C, frame, &(size_t){0}, now_ms() + 3000) <= 0)
		say("no msg1 on the second connection");
	send_frame_raw(&C, rec_msg2, rec_msg2_len);
	say("sent the replayed msg2");
	watch(t0, wait_ms, false);
	close(first.fd);
	return 0;
}

static int replay_other(unsigned wait_ms)
{
	struct wire_e ents[1];
	struct wire_e *b[1] = {&ents[0]};
	struct entry old, head;
	struct entry_header h;
	uint8_t sig[PAKT_SIG_LEN];
	uint64_t t0;

	if (!has_victim)
		die("replay-other needs --victim");
	pump_until(now_ms() + 1000, NULL);   /* the daemon streams the victim's feed */
	if (!victim_old.have || !victim_new.have ||
	    entry_decode(&old, victim_old.buf, victim_old.len) != 0 ||
	    entry_decode(&head, victim_new.buf, victim_new.len) != 0)
		die("did not get the victim's feed from the daemon");
	say("victim's feed: seq %llu..%llu", (unsigned long long)victim_old.seq,
	    (unsigned long long)victim_new.seq);
	/* 1. the head as is: a duplicate */
	memcpy(ents[0].buf, victim_new.buf, victim_new.len);
	ents[0].len = victim_new.len;
	send_batch(b, 1);
	say("sent the victim's entry at seq %llu unchanged", (unsigned long long)victim_new.seq);
	pump_until(now_ms() + 500, NULL);
	if (C.closed) {
		say("closed by peer after the unchanged replay (%s)", C.how);
		return 0;
	}
	say("still open after the unchanged replay");
	/* 2. the oldest, moved to follow the head, under its old signature */
	h = old.h;
	h.seq = victim_new.seq + 1;
	h.has_prev = true;
	memcpy(h.prev, head.hash, 32);
	memcpy(sig, old.sig, sizeof sig);
	{
		struct entry e;
		crypto_generichash_state st;
		uint8_t *at;
		int rc;

		/* entry_create signs only as its author: build the header as
		 * ours, then put the victim's key in the author field */
		memcpy(h.author, me.pk, 32);
		rc = entry_create(&e, &h, old.body, old.body_len, keys_sk_open(&me));
		keys_sk_close(&me);
		if (rc != 0)
			die("entry_create: %s", pakt_strerror(rc));
		at = memmem(e.header_bytes, e.header_len, me.pk, 32);
		if (at == NULL)
			die("our key is not in the header");
		memcpy(at, victim, 32);
		memcpy(e.h.author, victim, 32);
		memcpy(e.sig, sig, sizeof sig);
		crypto_generichash_init(&st, NULL, 0, 32);
		crypto_generichash_update(&st, e.header_bytes, e.header_len);
		crypto_generichash_update(&st, e.sig, PAKT_SIG_LEN);
		crypto_generichash_final(&st, e.hash, 32);
		if (entry_encode(&e, true, ents[0].buf, sizeof ents[0].buf, &ents[0].len) != 0)
			die("entry_encode failed");
	}
	t0 = now_ms();
	send_batch(b, 1);
	say("sent the victim's seq %llu re-numbered as seq %llu under its old signature",
	    (unsigned long long)victim_old.seq, (unsigned long long)h.seq);
	watch(t0, wait_ms, true);
	return 0;
}

static int huge_clock(unsigned wait_ms)
{
	enum { UNKNOWN = 1400 };   /* with the known feeds, about what fits a frame */
	static struct wire_clock_item items[WIRE_CLOCK_MAX];
	static uint8_t fake[UNKNOWN][32];
	size_t n = 0;
	struct mpx_out o;
	uint64_t t0;

	for (size_t i = 0; i < n_daemon_feeds && n < WIRE_CLOCK_MAX; i++)
		items[n++] = (struct wire_clock_item){.author = daemon_feeds[i].author,
						      .seq = ENTRY_SEQ_MAX};
	for (size_t i = 0; i + n_daemon_feeds < UNKNOWN && n < WIRE_CLOCK_MAX; i++) {
		randombytes_buf(fake[i], 32);
		items[n++] = (struct wire_clock_item){.author = fake[i], .seq = ENTRY_SEQ_MAX};
	}
	mpx_init(&o);
	wire_clock(&o, items, n, NULL, 0);
	t0 = now_ms();
	send_msg(&C, &o);
	mpx_free(&o);
	say("sent a clock of %zu feeds at seq %llu", n, (unsigned long long)ENTRY_SEQ_MAX);
	entries_seen = 0;
	watch(t0, wait_ms, true);
	say("entries received: %llu", (unsigned long long)entries_seen);
	return 0;
}

static int tiny_frames(unsigned n, unsigned wait_ms)
{
	static uint8_t chunk[1 << 16];
	struct mpx_out o;
	size_t used = 0, one;
	unsigned sent = 0;
	uint64_t t0 = now_ms();

	mpx_init(&o);
	wire_entries_begin(&o, 0);
	wire_entries_end(&o);
	one = 2 + o.sb.size + NOISE_TAG_LEN;
	while (sent < n && !C.closed) {
		uint8_t *f = chunk + used;

		f[0] = (uint8_t)((one - 2) >> 8);
		f[1] = (uint8_t)(one - 2);
		if (noise_encrypt(&C.tx, (const uint8_t *)o.sb.data, o.sb.size, f + 2) != 0)
			die("encrypt failed");
		used += one;
		sent++;
		if (used + one > sizeof chunk || sent == n) {
			if (!send_all(&C, chunk, used))
				break;
			used = 0;
		}
	}
	mpx_free(&o);
	say("sent %u frames of %zu bytes in %llu ms", sent, one, (unsigned long long)(now_ms() - t0));
	watch(t0, wait_ms, true);
	return 0;
}

static int no_read(unsigned wait_ms)
{
	struct mpx_out o;
	uint64_t t0;

	mpx_init(&o);
	wire_clock(&o, NULL, 0, NULL, 0);   /* "I have nothing": send me everything */
	send_msg(&C, &o);
	mpx_free(&o);
	t0 = now_ms();
	say("sent an empty clock; reading nothing for %u ms", wait_ms);
	while (now_ms() < t0 + wait_ms)
		usleep(100 * 1000);
	say("now reading again");
	/* what the daemon queued and then its close, if it did close */
	while (fill(&C, now_ms() + 2000) > 0)
		C.in_len = 0;
	if (C.closed)
		say("closed by peer (%s)", C.how);
	else
		say("still open after %llu ms", (unsigned long long)(now_ms() - t0));
	return 0;
}

static int bulk(uint64_t next, const uint8_t *prev, unsigned n, unsigned size, const char *prefix)
{
	static struct wire_e ents[8];
	struct wire_e *b[8];
	uint8_t last[32];
	char *text = malloc(size + 64);
	unsigned done = 0;

	if (text == NULL)
		die("out of memory");
	while (done < n && !C.closed) {
		size_t nb = 0, bytes = 0;

		while (nb < 8 && done < n && bytes + size + 400 < WIRE_PLAIN_MAX - 1024) {
			int k = snprintf(text, size + 64, "%s %u ", prefix, done + 1);

			memset(text + k, 'x', size > (unsigned)k ? size - (unsigned)k : 0);
			text[size > (unsigned)k ? size : (unsigned)k] = '\0';
			make_entry(&ents[nb], next, prev, text, false);
			memcpy(last, ents[nb].hash, 32);
			prev = last;
			b[nb] = &ents[nb];
			bytes += ents[nb].len;
			nb++;
			next++;
			done++;
		}
		send_batch(b, nb);
		pump_until(now_ms() + 1, NULL);   /* keep the daemon's stream moving */
	}
	free(text);
	say("sent %u entries of %u bytes of text, last at seq %llu", done, size,
	    (unsigned long long)next - 1);
	watch(now_ms(), 1000, true);
	return 0;
}

static int flood_connect(const char *addr, unsigned n, unsigned wait_ms)
{
	int *fds = calloc(n ? n : 1, sizeof *fds);
	unsigned opened = 0, closed = 0;
	uint64_t t0 = now_ms();

	if (fds == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++) {
		fds[i] = dial(addr);
		opened++;
	}
	say("opened %u connections in %llu ms", opened, (unsigned long long)(now_ms() - t0));
	/* closed by the daemon within wait_ms of the last: EOF or reset on read */
	t0 = now_ms();
	while (now_ms() < t0 + wait_ms)
		usleep(50 * 1000);
	for (unsigned i = 0; i < n; i++) {
		char b[64];
		ssize_t r = recv(fds[i], b, sizeof b, MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			closed++;
		close(fds[i]);
	}
	say("closed by peer within %u ms: %u of %u", wait_ms, closed, opened);
	free(fds);
	return 0;
}

static int invite_guess(const char *addr, unsigned n)
{
	unsigned refused = 0, limited = 0, other = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t secret[32];
		struct mpx_out o;

		reconnect(addr);
		got_clock = false;
		if (!handshake()) {
			other++;
			close(C.fd);
			continue;
		}
		randombytes_buf(secret, sizeof secret);
		mpx_init(&o);
		wire_invite(&o, secret, "guesser");
		send_msg(&C, &o);
		mpx_free(&o);
		last_bye[0] = '\0';
		pump_until(now_ms() + 3000, NULL);
		if (strstr(last_bye, "failed invite attempts"))
			limited++;
		else if (last_bye[0])
			refused++;
		else
			other++;
		close(C.fd);
	}
	say("guesses %u: refused as wrong %u, rate-limited %u, other %u", n, refused, limited, other);
	return 0;
}

/* ---- modes that relay what another daemon holds ---- */

/* A signed entry of id's feed (any type) with the body in o. */
static void make_signed(struct wire_e *w, const struct keys_identity *id, uint64_t seq,
			const uint8_t *prev, const char *type, const struct mpx_out *o)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true, .seq = seq};
	struct entry e;
	int rc;

	memcpy(h.network, network, 32);
	memcpy(h.author, id->pk, 32);
	h.has_prev = prev != NULL;
	if (prev)
		memcpy(h.prev, prev, 32);
	h.timestamp = wall_ms();
	snprintf(h.type, sizeof h.type, "%s", type);
	rc = entry_create(&e, &h, (const uint8_t *)o->sb.data, o->sb.size, keys_sk_open(id));
	keys_sk_close(id);
	if (rc != 0 || entry_encode(&e, true, w->buf, sizeof w->buf, &w->len) != 0)
		die("entry_create: %s", pakt_strerror(rc));
	memcpy(w->hash, e.hash, 32);
}

static int by_seq(const void *a, const void *b)
{
	const struct wire_e_copy *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Connect to src, ask for everything, keep the victim's entries. */
static void collect_source(const char *src)
{
	struct mpx_out o;

	if (!has_victim)
		die("--source needs --victim");
	C.fd = dial(src);
	C.closed = false;
	C.in_len = 0;
	if (!handshake() || pump_until(now_ms() + 3000, &got_clock) < 0 || !got_clock)
		die("source %s: no handshake or clock", src);
	mpx_init(&o);
	wire_clock(&o, NULL, 0, NULL, 0);   /* send me everything */
	send_msg(&C, &o);
	mpx_free(&o);
	collect_all = true;
	pump_until(now_ms() + 1500, NULL);
	collect_all = false;
	close(C.fd);
	qsort(victim_all, n_victim_all, sizeof victim_all[0], by_seq);
	if (n_victim_all == 0)
		die("source %s sent no entry of the victim", src);
	say("source: %zu entries of the victim, seq %llu..%llu", n_victim_all,
	    (unsigned long long)victim_all[0].seq,
	    (unsigned long long)victim_all[n_victim_all - 1].seq);
	/* the target's clock starts afresh */
	got_clock = have_head = own_skipped = false;
	own_seq = 0;
	n_daemon_feeds = 0;
}

static bool then_full;            /* relay-stripped: then the full copies */

static int relay_stripped(unsigned wait_ms)
{
	static struct wire_e ents[64];
	struct wire_e *b[64];
	uint64_t have = 0, t0;
	size_t nb = 0;

	for (size_t i = 0; i < n_daemon_feeds; i++)
		if (memcmp(daemon_feeds[i].author, victim, 32) == 0)
			have = daemon_feeds[i].seq;
	for (size_t i = 0; i < n_victim_all; i++) {
		struct entry e;

		if (victim_all[i].seq <= have ||
		    entry_decode(&e, victim_all[i].buf, victim_all[i].len) != 0 ||
		    entry_encode(&e, false, ents[nb].buf, sizeof ents[nb].buf, &ents[nb].len) != 0)
			continue;
		b[nb] = &ents[nb];
		nb++;
	}
	if (nb == 0)
		die("the target holds every entry of the victim (seq %llu)", (unsigned long long)have);
	t0 = now_ms();
	send_batch(b, nb);
	say("sent %zu entries of the victim without their bodies (after seq %llu)", nb,
	    (unsigned long long)have);
	if (then_full) {
		pump_until(now_ms() + 500, NULL);
		for (nb = 0; nb < n_victim_all; nb++) {
			memcpy(ents[nb].buf, victim_all[nb].buf, victim_all[nb].len);
			ents[nb].len = victim_all[nb].len;
			b[nb] = &ents[nb];
		}
		t0 = now_ms();
		send_batch(b, nb);
		say("then sent all %zu entries of the victim with their bodies", nb);
	}
	watch(t0, wait_ms, true);
	return 0;
}

static int redact_preempt(uint64_t next, const uint8_t *prev, unsigned wait_ms)
{
	static struct wire_e w;
	struct wire_e *b[1] = {&w};
	struct body_ref r = {.text = "not yours"};
	const struct wire_e_copy *t = &victim_all[n_victim_all - 1];
	struct entry e;
	struct mpx_out o;
	uint64_t t0;

	if (entry_decode(&e, t->buf, t->len) != 0)
		die("the victim's entry does not decode");
	memcpy(r.ref, e.hash, 32);
	mpx_init(&o);
	if (body_ref(&o, "redact", &r) != 0)
		die("body_ref failed");
	make_signed(&w, &me, next, prev, "redact", &o);
	mpx_free(&o);
	t0 = now_ms();
	send_batch(b, 1);
	say("sent a redact at seq %llu naming the victim's seq %llu", (unsigned long long)next,
	    (unsigned long long)t->seq);
	watch(t0, wait_ms, true);
	return 0;
}

static int stranger_feeds(unsigned n, unsigned wait_ms)
{
	static struct wire_e ents[64];
	struct wire_e *b[64];
	unsigned sent = 0;
	uint64_t t0 = now_ms();

	while (sent < n && !C.closed) {
		size_t nb = 0;

		for (; nb < 64 && sent < n; nb++, sent++) {
			struct keys_identity k;
			struct mpx_out o;
			char text[64];

			if (keys_generate(&k) != 0)
				die("keys_generate failed");
			snprintf(text, sizeof text, "stranger %u", sent + 1);
			mpx_init(&o);
			if (body_message(&o, text, NULL) != 0)
				die("body_message failed");
			make_signed(&ents[nb], &k, 1, NULL, "message", &o);
			mpx_free(&o);
			keys_free(&k);
			b[nb] = &ents[nb];
		}
		send_batch(b, nb);
		pump_until(now_ms() + 1, NULL);
	}
	say("sent %u entries, each the first of a feed under a fresh key", sent);
	watch(t0, wait_ms, true);
	return 0;
}

static int many_feeds(unsigned n)
{
	static struct wire_e ents[200];
	struct wire_e *b[200];
	struct keys_identity saved = me, fresh;
	unsigned done = 0;

	while (done < n && !C.closed) {
		size_t nb = 0;

		for (; nb < 200 && done < n; nb++, done++) {
			char text[64];

			if (keys_generate(&fresh) != 0)
				die("keys_generate failed");
			me = fresh;
			snprintf(text, sizeof text, "feed %u", done);
			make_entry(&ents[nb], 1, NULL, text, false);
			me = saved;
			keys_free(&fresh);
			b[nb] = &ents[nb];
		}
		send_batch(b, nb);
		pump_until(now_ms() + 1, NULL);
	}
	say("sent %u one-entry feeds under fresh keys", done);
	watch(now_ms(), 1000, true);
	return 0;
}

static int count_clock(unsigned wait_ms)
{
	pump_until(now_ms() + wait_ms, NULL);
	say("clock messages: %u, feeds listed: %zu, skipped: %zu", clock_msgs, clock_listed,
	    clock_skipped);
	if (C.closed)
		say("closed by peer (%s)", C.how);
	return 0;
}

static int second_session(const char *addr, unsigned wait_ms)
{
	struct conn first = C;

	C = (struct conn){.in = malloc(IN_CAP)};
	if (C.in == NULL)
		die("out of memory");
	reconnect(addr);
	last_bye[0] = '\0';
	if (!handshake()) {
		say("second: closed during the handshake");
		return 0;
	}
	uint64_t t0 = now_ms();
	pump_until(now_ms() + wait_ms, NULL);
	if (C.closed)
		say("second: closed by peer after %llu ms (%s)%s%s",
		    (unsigned long long)(C.closed_at - t0), C.how, last_bye[0] ? ", bye: " : "",
		    last_bye);
	else
		say("second: still open after %llu ms", (unsigned long long)(now_ms() - t0));
	/* is the first still there? */
	C = first;
	pump_until(now_ms() + 200, NULL);
	say(C.closed ? "first: closed" : "first: still open");
	return 0;
}

/* A succession entry by us naming new_key, in wire form. */
static size_t own_succession_for(const struct keys_identity *next, uint8_t *out, size_t cap)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true, .seq = 2,
				 .has_prev = true};
	struct body_succession sc;
	uint8_t proof[64];
	struct mpx_out body;
	struct entry e;
	size_t len;

	memcpy(h.network, network, 32);
	memcpy(h.author, me.pk, 32);
	randombytes_buf(h.prev, 32);
	h.timestamp = wall_ms();
	snprintf(h.type, sizeof h.type, "succession");
	keyroll_prove(proof, network, me.pk, next->pk, keys_sk_open(next));
	keys_sk_close(next);
	memcpy(sc.new_key, next->pk, 32);
	sc.proof = proof;
	mpx_init(&body);
	if (body_succession(&body, &sc) != 0)
		die("body_succession failed");
	if (entry_create(&e, &h, (const uint8_t *)body.sb.data, body.sb.size, keys_sk_open(&me)) != 0)
		die("entry_create failed");
	keys_sk_close(&me);
	if (entry_encode(&e, true, out, cap, &len) != 0)
		die("entry_encode failed");
	mpx_free(&body);
	return len;
}

/* Answer one dial as the responder (see the modes answer-*). */
static int answer(const char *listen_addr, bool with_succ, unsigned wait_ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	const char *colon = strrchr(listen_addr, ':');
	struct pollfd pfd;
	int lfd, one = 1;
	struct keys_identity fresh, *as = &me;
	uint8_t succ[1024], msg[1200], payload[512], prologue[38], x_pk[32], x_sk[32], net[32];
	size_t succ_len = 0, len, plen;
	struct noise_hs hs;
	struct mpx_out hello;

	if (colon == NULL)
		die("--connect wants HOST:PORT to listen on");
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4) != 0)
		die("listen %s: %s", listen_addr, strerror(errno));
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	say("listening 127.0.0.1:%d", ntohs(sa.sin_port));
	pfd = (struct pollfd){.fd = lfd, .events = POLLIN};
	if (poll(&pfd, 1, (int)wait_ms) <= 0) {
		say("nobody dialled within %u ms", wait_ms);
		return 0;
	}
	C.fd = accept(lfd, NULL, NULL);
	if (C.fd < 0)
		die("accept: %s", strerror(errno));
	say("dialled");
	while (C.in_len < WIRE_PREAMBLE_LEN)
		if (fill(&C, now_ms() + 3000) <= 0)
			die("no preamble");
	if (wire_preamble_parse(C.in, net) != 0 || memcmp(net, network, 32) != 0)
		die("bad preamble");
	memmove(C.in, C.in + WIRE_PREAMBLE_LEN, C.in_len - WIRE_PREAMBLE_LEN);
	C.in_len -= WIRE_PREAMBLE_LEN;
	if (with_succ) {
		char id[ID_TEXT_MAX];

		if (keys_generate(&fresh) != 0)
			die("keys_generate failed");
		succ_len = own_succession_for(&fresh, succ, sizeof succ);
		as = &fresh;
		id_encode(ID_KEY, fresh.pk, id);
		say("answering as %s with a succession by us", id);
	}
	if (keys_to_x25519(as, x_pk, x_sk) != 0 ||
	    noise_hs_init(&hs, false, prologue, wire_prologue(network, prologue), x_sk, NULL, NULL) != 0)
		die("handshake init failed");
	sodium_memzero(x_sk, sizeof x_sk);
	if (read_frame(&C, frame, &len, now_ms() + 3000) <= 0 ||
	    noise_hs_read(&hs, frame, len, payload, sizeof payload, &plen) != 0)
		die("no msg0");
	mpx_init(&hello);
	wire_hello_succ(&hello, as->pk, succ_len ? succ : NULL, succ_len, 1);
	if (noise_hs_write(&hs, (const uint8_t *)hello.sb.data, hello.sb.size, msg, sizeof msg,
			   &len) != 0)
		die("msg1 write failed");
	mpx_free(&hello);
	send_frame_raw(&C, msg, len);
	if (read_frame(&C, frame, &len, now_ms() + 3000) <= 0) {
		say("no msg2: the dialler closed before telling us who it is (%s)",
		    C.closed ? C.how : "timeout");
		return 0;
	}
	if (noise_hs_read(&hs, frame, len, payload, sizeof payload, &plen) != 0 ||
	    noise_hs_split(&hs, &C.tx, &C.rx, NULL) != 0)
		die("msg2 did not authenticate");
	say("got msg2: the dialler told us who it is");
	pump_until(now_ms() + 2000, NULL);
	say(C.closed ? "closed by peer (%s)" : "still open%s", C.closed ? C.how : "");
	if (got_clock)
		say("the dialler sent its clock: it replicates with us");
	return 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: peer --key FILE --network nw_... --connect HOST:PORT --mode MODE\n"
		"            [--seed-feed N] [--text PREFIX] [--wait-ms MS] [--skew-ms N]\n"
		"            [--victim pk_...] [--bind ADDR] [--count N] [--size BYTES]\n"
		"            [--type TYPE --body-hex HEX] (honest) [--repl 1|2]\n"
		"modes: honest bad-signature broken-chain bad-signature-linked fork fork-same-batch\n"
		"       oversize-frame garbage slow-handshake silent wrong-network replay-handshake\n"
		"       replay-other backdated huge-clock tiny-frames no-read bulk flood-connect\n"
		"       invite-guess relay-stripped redact-preempt stranger-feeds\n"
		"       wait-after-handshake many-feeds count-clock second-session\n"
		"       answer-as-other answer-succession have-v1\n"
		"            [--source ADDR] (relay-stripped, redact-preempt) [--then-full]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"network", required_argument, NULL, 'n'},
		{"connect", required_argument, NULL, 'c'},
		{"mode", required_argument, NULL, 'm'},
		{"seed-feed", required_argument, NULL, 's'},
		{"text", required_argument, NULL, 't'},
		{"wait-ms", required_argument, NULL, 'w'},
		{"skew-ms", required_argument, NULL, 'S'},
		{"victim", required_argument, NULL, 'v'},
		{"bind", required_argument, NULL, 'b'},
		{"count", required_argument, NULL, 'N'},
		{"size", required_argument, NULL, 'z'},
		{"source", required_argument, NULL, 'R'},
		{"then-full", no_argument, NULL, 'F'},
		{"type", required_argument, NULL, 'y'},
		{"body-hex", required_argument, NULL, 'B'},
		{"repl", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *net_text = NULL, *addr = NULL, *mode = NULL, *prefix = NULL;
	const char *source = NULL;
	unsigned seeds = 0, wait_ms = 0, count = 0, size = 100;
	char why[256], text[256];
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': key = optarg; break;
		case 'n': net_text = optarg; break;
		case 'c': addr = optarg; break;
		case 'm': mode = optarg; break;
		case 's': seeds = (unsigned)atoi(optarg); break;
		case 't': prefix = optarg; break;
		case 'w': wait_ms = (unsigned)atoi(optarg); break;
		case 'S': skew_ms = strtoll(optarg, NULL, 10); break;
		case 'v':
			if (id_decode(ID_KEY, optarg, victim) != 0)
				die("bad key '%s'", optarg);
			has_victim = true;
			break;
		case 'b': bind_addr = optarg; break;
		case 'N': count = (unsigned)atoi(optarg); break;
		case 'z': size = (unsigned)atoi(optarg); break;
		case 'R': source = optarg; break;
		case 'F': then_full = true; break;
		case 'r': repl_version = (unsigned)atoi(optarg); break;
		case 'y': raw_type = optarg; break;
		case 'B':
			if (sodium_hex2bin(raw_body, sizeof raw_body, optarg, strlen(optarg), NULL,
					   &raw_body_len, NULL) != 0)
				die("--body-hex: not hex, or over %zu bytes", sizeof raw_body);
			break;
		default: usage();
		}
	}
	if (!key || !net_text || !addr || !mode || optind != argc || seeds > 6)
		usage();
	if (prefix == NULL)
		prefix = mode;
	signal(SIGPIPE, SIG_IGN);
	if (keys_global_init() != 0)
		die("sodium_init failed");
	if (id_decode(ID_NETWORK, net_text, network) != 0)
		die("bad network id '%s'", net_text);
	int rc = keyfile_read(key, NULL, &me, why, sizeof why);
	if (rc != 0)
		die("%s: %s (%s)", key, pakt_strerror(rc), why);
	C.in = malloc(IN_CAP);
	if (C.in == NULL)
		die("out of memory");
	if (strcmp(mode, "flood-connect") == 0)
		return flood_connect(addr, count, wait_ms ? wait_ms : 2000);
	if (strcmp(mode, "invite-guess") == 0)
		return invite_guess(addr, count);
	if (strcmp(mode, "no-read") == 0)
		rcvbuf = 4096;
	if (source != NULL)
		collect_source(source);

	if (strcmp(mode, "answer-as-other") == 0 || strcmp(mode, "answer-succession") == 0)
		return answer(addr, strcmp(mode, "answer-succession") == 0, wait_ms ? wait_ms : 10000);

	C.fd = dial(addr);
	t_connect = now_ms();
	{
		struct sockaddr_in sa;
		socklen_t sl = sizeof sa;
		char ip[32] = "?";

		if (getsockname(C.fd, (struct sockaddr *)&sa, &sl) == 0)
			inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
		say("local %s:%d", ip, ntohs(sa.sin_port));
	}

	/* ---- modes before or instead of a handshake ---- */
	if (strcmp(mode, "silent") == 0) {
		watch(t_connect, wait_ms ? wait_ms : 8000, false);
		return 0;
	}
	if (strcmp(mode, "wrong-network") == 0) {
		struct noise_hs hs;
		uint8_t other[32], msg[128];
		size_t len;

		randombytes_buf(other, sizeof other);
		send_preamble(other);
		hs_init(&hs, other);
		if (noise_hs_write(&hs, NULL, 0, msg, sizeof msg, &len) != 0)
			die("msg0 write failed");
		send_frame_raw(&C, msg, len);
		say("sent preamble and msg0 for a random network");
		watch(t_connect, wait_ms ? wait_ms : 3000, false);
		return 0;
	}
	if (strcmp(mode, "slow-handshake") == 0) {
		struct noise_hs hs;
		uint8_t msg[128], f[130];
		size_t len, i;
		uint64_t deadline = t_connect + (wait_ms ? wait_ms : 8000);

		send_preamble(network);
		hs_init(&hs, network);
		if (noise_hs_write(&hs, NULL, 0, msg, sizeof msg, &len) != 0)
			die("msg0 write failed");
		f[0] = (uint8_t)(len >> 8);
		f[1] = (uint8_t)len;
		memcpy(f + 2, msg, len);
		say("sent preamble; now msg0 one byte every 500 ms");
		/* one byte, then 500 ms watching for a close */
		for (i = 0; i < len + 2 && !C.closed && now_ms() < deadline; i++) {
			uint64_t next = now_ms() + 500;

			if (!send_all(&C, f + i, 1))
				break;
			while (!C.closed && now_ms() < next)
				if (fill(&C, next) > 0)
					C.in_len = 0;
		}
		say("sent %zu of %zu bytes of msg0", i, len + 2);
		if (!C.closed && i == len + 2)
			say("the whole msg0 went through");
		watch(t_connect, C.closed ? 0 : (unsigned)(deadline > now_ms() ? deadline - now_ms() : 0),
		      false);
		return 0;
	}

	/* ---- modes after the handshake ---- */
	if (!handshake()) {
		watch(t_connect, 0, false);
		return 1;
	}
	uint64_t t0;
	if (strcmp(mode, "wait-after-handshake") == 0) {
		watch(t_connect, wait_ms ? wait_ms : 8000, true);
		return 0;
	}
	if (strcmp(mode, "have-v1") == 0) {
		/* a version-2 message on this version-1 link (no "r" in our hello) */
		const uint8_t *lazy[1] = {me.pk};
		struct mpx_out o;

		mpx_init(&o);
		wire_have(&o, NULL, 0, NULL, 0, lazy, 1);
		say("sending a 'have' on a version 1 link");
		send_msg(&C, &o);
		mpx_free(&o);
		watch(t_connect, wait_ms ? wait_ms : 3000, true);
		return 0;
	}
	if (strcmp(mode, "count-clock") == 0)
		return count_clock(wait_ms ? wait_ms : 2000);
	if (strcmp(mode, "replay-handshake") == 0)
		return replay_handshake(addr, wait_ms ? wait_ms : 3000);
	if (strcmp(mode, "garbage") == 0 || strcmp(mode, "oversize-frame") == 0) {
		/* no clock: the very first transport frame is the attack */
		static uint8_t junk[3 * (2 + WIRE_FRAME_MAX)];
		size_t n;

		randombytes_buf(junk, sizeof junk);
		if (strcmp(mode, "oversize-frame") == 0) {
			junk[0] = 0xff;
			junk[1] = 0xff;
			n = 2 + 65535;
			say("sending a frame header of 65535 and 65535 bytes of garbage");
		} else {
			/* more than any frame can hold: whatever length the first
			 * two bytes say, at least one whole frame arrives */
			n = sizeof junk;
			say("sending %zu random bytes", n);
		}
		t0 = now_ms();
		send_all(&C, junk, n);
		watch(t0, wait_ms ? wait_ms : 3000, true);
		return 0;
	}

	if (strcmp(mode, "huge-clock") == 0 || strcmp(mode, "no-read") == 0) {
		if (pump_until(now_ms() + 3000, &got_clock) < 0 || !got_clock) {
			say("no clock from the daemon");
			return 1;
		}
		return strcmp(mode, "no-read") == 0 ? no_read(wait_ms ? wait_ms : 20000)
						    : huge_clock(wait_ms ? wait_ms : 2000);
	}
	if (!sync_clocks()) {
		watch(t_connect, 0, true);
		return 1;
	}
	if (strcmp(mode, "many-feeds") == 0)
		return many_feeds(count ? count : 2000);
	if (strcmp(mode, "second-session") == 0)
		return second_session(addr, wait_ms ? wait_ms : 3000);
	if (strcmp(mode, "tiny-frames") == 0)
		return tiny_frames(count ? count : 100000, wait_ms ? wait_ms : 3000);
	if (strcmp(mode, "replay-other") == 0)
		return replay_other(wait_ms ? wait_ms : 3000);
	if (strcmp(mode, "relay-stripped") == 0)
		return relay_stripped(wait_ms ? wait_ms : 2000);
	if (strcmp(mode, "redact-preempt") == 0)
		return redact_preempt(own_seq + 1, have_head ? head_hash : NULL, wait_ms ? wait_ms : 2000);
	if (strcmp(mode, "stranger-feeds") == 0)
		return stranger_feeds(count ? count : 100, wait_ms ? wait_ms : 2000);
	if (strcmp(mode, "bulk") == 0)
		return bulk(own_seq + 1, have_head ? head_hash : NULL, count, size, prefix);
	if (strcmp(mode, "backdated") == 0) {
		if (!have_head)
			die("backdated needs a predecessor: use a member that has posted");
		fixed_ts = head_ts - 3600 * 1000;
		mode = "honest";
		say("dating the entry 1 h before its predecessor (%llu)", (unsigned long long)head_ts);
	}
	uint64_t next = own_seq + 1;
	const uint8_t *prev = have_head ? head_hash : NULL;
	static struct wire_e ents[8];
	struct wire_e *batch[8];
	size_t nb = 0;

	/* valid entries first, if asked */
	for (unsigned i = 0; i < seeds; i++) {
		snprintf(text, sizeof text, "%s seed %u", prefix, i + 1);
		make_entry(&ents[nb], next, prev, text, false);
		prev = ents[nb].hash;
		batch[nb] = &ents[nb];
		nb++;
		next++;
	}
	if (strcmp(mode, "honest") == 0) {
		snprintf(text, sizeof text, "%s", prefix);
		make_entry(&ents[nb], next, prev, text, false);
		batch[nb] = &ents[nb];
		nb++;
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent %zu valid entries, last at seq %llu", nb, (unsigned long long)next);
		watch(t0, wait_ms ? wait_ms : 1000, true);
		return 0;
	}
	if (strcmp(mode, "bad-signature") == 0) {
		snprintf(text, sizeof text, "%s", prefix);
		make_entry(&ents[nb], next, prev, text, true);
		batch[nb] = &ents[nb];
		nb++;
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent a batch of %zu, the entry at seq %llu with a corrupted signature", nb,
		    (unsigned long long)next);
		watch(t0, wait_ms ? wait_ms : 3000, true);
		return 0;
	}
	if (strcmp(mode, "broken-chain") == 0) {
		uint8_t wrong[32];

		if (next == 1)
			die("broken-chain needs a predecessor: use a member that has posted, or --seed-feed");
		randombytes_buf(wrong, sizeof wrong);
		snprintf(text, sizeof text, "%s", prefix);
		make_entry(&ents[nb], next, wrong, text, false);
		batch[nb] = &ents[nb];
		nb++;
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent a batch of %zu, the entry at seq %llu with a wrong prev hash", nb,
		    (unsigned long long)next);
		watch(t0, wait_ms ? wait_ms : 3000, true);
		return 0;
	}
	if (strcmp(mode, "bad-signature-linked") == 0) {
		snprintf(text, sizeof text, "%s bad", prefix);
		make_entry(&ents[nb], next, prev, text, true);
		batch[nb] = &ents[nb];
		prev = ents[nb].hash;
		nb++;
		snprintf(text, sizeof text, "%s good", prefix);
		make_entry(&ents[nb], next + 1, prev, text, false);
		batch[nb] = &ents[nb];
		nb++;
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent a batch of %zu: seq %llu with a corrupted signature, seq %llu validly signed on top of it",
		    nb, (unsigned long long)next, (unsigned long long)next + 1);
		watch(t0, wait_ms ? wait_ms : 3000, true);
		return 0;
	}
	if (strcmp(mode, "fork") == 0) {
		static struct wire_e second;
		struct wire_e *b2[1] = {&second};

		snprintf(text, sizeof text, "%s one", prefix);
		make_entry(&ents[nb], next, prev, text, false);
		batch[nb] = &ents[nb];
		nb++;
		snprintf(text, sizeof text, "%s two", prefix);
		make_entry(&second, next, prev, text, false);
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent a batch of %zu, the entry at seq %llu says '%s one'", nb,
		    (unsigned long long)next, prefix);
		pump_until(now_ms() + 300, NULL);
		if (C.closed) {
			say("closed by peer after %llu ms (%s), before the second entry",
			    (unsigned long long)(C.closed_at - t0), C.how);
			return 0;
		}
		t0 = now_ms();
		send_batch(b2, 1);
		say("sent a second batch: another entry at seq %llu, '%s two'",
		    (unsigned long long)next, prefix);
		watch(t0, wait_ms ? wait_ms : 1000, true);
		return 0;
	}
	if (strcmp(mode, "fork-same-batch") == 0) {
		snprintf(text, sizeof text, "%s one", prefix);
		make_entry(&ents[nb], next, prev, text, false);
		batch[nb] = &ents[nb];
		nb++;
		snprintf(text, sizeof text, "%s two", prefix);
		make_entry(&ents[nb], next, prev, text, false);
		batch[nb] = &ents[nb];
		nb++;
		t0 = now_ms();
		send_batch(batch, nb);
		say("sent one batch with two different valid entries at seq %llu",
		    (unsigned long long)next);
		watch(t0, wait_ms ? wait_ms : 1000, true);
		return 0;
	}
	usage();
	return 2;
}
