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
 *
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
#include "proto/mpx.h"
#include "proto/noise.h"
#include "proto/wire.h"

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
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
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
static uint64_t own_seq;          /* what the daemon has of our feed */
static bool have_head;
static uint8_t head_hash[32];

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
	switch (m.type) {
	case WIRE_CLOCK:
		if (!got_clock) {
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
			if (memcmp(e.h.author, me.pk, 32) == 0 && e.h.seq == own_seq) {
				memcpy(head_hash, e.hash, 32);
				have_head = true;
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
	wire_hello(&hello, me.pk);
	if (noise_hs_write(&hs, (const uint8_t *)hello.sb.data, hello.sb.size, msg, sizeof msg,
			   &len) != 0)
		die("msg2 write failed");
	mpx_free(&hello);
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
	h.timestamp = wall_ms();
	snprintf(h.type, sizeof h.type, "message");
	mpx_init(&body);
	if (body_message(&body, text, NULL) != 0)
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

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: peer --key FILE --network nw_... --connect HOST:PORT --mode MODE\n"
		"            [--seed-feed N] [--text PREFIX] [--wait-ms MS]\n"
		"modes: honest bad-signature broken-chain bad-signature-linked fork fork-same-batch\n"
		"       oversize-frame garbage slow-handshake silent wrong-network\n");
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
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *net_text = NULL, *addr = NULL, *mode = NULL, *prefix = NULL;
	unsigned seeds = 0, wait_ms = 0;
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

	if (!sync_clocks()) {
		watch(t_connect, 0, true);
		return 1;
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
