/* netemu: a small userspace netem for tests/integration/netem.sh.
 *
 *   netemu --queue N [--loss PCT] [--delay MS] [--jitter MS] [--reorder PCT]
 *          [--seed S] [--max-seconds S]
 *
 * The test kernels have no sch_netem, so loss, delay and reordering are
 * done here: an iptables rule sends packets to NFQUEUE number N (in the
 * network namespace netemu runs in), and for each packet netemu
 *
 *   - drops it with probability LOSS %;
 *   - else, with probability REORDER %, accepts it at once, ahead of the
 *     packets still waiting (netem's "reorder": some go straight through);
 *   - else holds it for DELAY ms plus a uniform offset in [-JITTER, +JITTER]
 *     and then accepts it. Packets are released by due time, not arrival,
 *     so a jitter larger than the gap between two packets reorders them.
 *
 * Only verdicts travel (NFQNL_COPY_META): the packet itself stays in the
 * kernel. The random choices come from SEED, so a run can be repeated.
 * At most PENDING_MAX packets wait; one more is accepted at once and
 * counted as "overflow" (the kernel's own queue is bounded as well).
 *
 * It runs until SIGTERM or SIGINT, or for MAX-SECONDS (default 600), then
 * accepts whatever still waits and prints one line on stdout:
 *   netemu: queue N: seen S dropped D delayed L reordered R overflow O
 * Exit 0 after a run, 1 when it could not start (bad arguments, no
 * permission to bind the queue). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
/* after netinet/in.h, which it must not redefine */
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define PENDING_MAX 65536
#define KERNEL_QUEUE_MAX 8192

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("netemu: ", stderr);
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

/* splitmix64: small, seedable, good enough to pick drops and delays */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / (double)(1ull << 53);
}

/* ---- packets waiting for their release time: a min-heap on due ---- */

struct held {
	uint64_t due;       /* monotonic ms */
	uint64_t order;     /* arrival number: equal due times keep their order */
	uint32_t id;        /* the kernel's packet id, for the verdict */
};

static struct held heap[PENDING_MAX];
static size_t heap_len;

static int held_before(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void heap_push(struct held h)
{
	size_t i = heap_len++;

	while (i > 0 && held_before(&h, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = h;
}

static struct held heap_pop(void)
{
	struct held top = heap[0], last = heap[--heap_len];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= heap_len)
			break;
		if (c + 1 < heap_len && held_before(&heap[c + 1], &heap[c]))
			c++;
		if (!held_before(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (heap_len > 0)
		heap[i] = last;
	return top;
}

/* ---- the queue ---- */

struct params {
	double loss, reorder;           /* probabilities, 0..1 */
	unsigned delay_ms, jitter_ms;
};

struct stats {
	uint64_t seen, dropped, delayed, reordered, overflow;
};

static struct params P;
static struct stats S;
static uint64_t arrivals;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;

	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	S.seen++;
	if (rng_unit() < P.loss) {
		S.dropped++;
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	if (rng_unit() < P.reorder) {
		S.reordered++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	if (P.delay_ms == 0 && P.jitter_ms == 0)
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	if (heap_len == PENDING_MAX) {
		S.overflow++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	/* delay + uniform in [-jitter, +jitter], never below zero */
	int64_t d = (int64_t)P.delay_ms;
	if (P.jitter_ms > 0)
		d += (int64_t)(rng_next() % (2ull * P.jitter_ms + 1)) - (int64_t)P.jitter_ms;
	if (d < 0)
		d = 0;
	S.delayed++;
	heap_push((struct held){.due = now_ms() + (uint64_t)d, .order = arrivals++, .id = id});
	return 0;
}

/* Accept every held packet due by now (all of them if all is set). */
static void release(struct nfq_q_handle *qh, int all)
{
	uint64_t t = now_ms();

	while (heap_len > 0 && (all || heap[0].due <= t)) {
		struct held h = heap_pop();

		nfq_set_verdict(qh, h.id, NF_ACCEPT, 0, NULL);
	}
}

static void usage(void)
{
	fputs("usage: netemu --queue N [--loss PCT] [--delay MS] [--jitter MS] [--reorder PCT]\n"
	      "              [--seed S] [--max-seconds S]\n", stderr);
	exit(1);
}

static double percent(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || !(v >= 0 && v <= 100))
		usage();
	return v / 100;
}

static unsigned number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 3600 * 1000)
		usage();
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"queue", required_argument, NULL, 'q'},
		{"loss", required_argument, NULL, 'l'},
		{"delay", required_argument, NULL, 'd'},
		{"jitter", required_argument, NULL, 'j'},
		{"reorder", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 's'},
		{"max-seconds", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	unsigned queue = UINT_MAX, max_seconds = 600;
	uint64_t seed = 1, deadline;
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	struct sigaction sa = {.sa_handler = on_signal};
	char buf[65536] __attribute__((aligned));
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': queue = number(optarg); break;
		case 'l': P.loss = percent(optarg); break;
		case 'd': P.delay_ms = number(optarg); break;
		case 'j': P.jitter_ms = number(optarg); break;
		case 'r': P.reorder = percent(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'm': max_seconds = number(optarg); break;
		default: usage();
		}
	}
	if (queue > 65535 || optind != argc)
		usage();
	rng_state = seed;

	h = nfq_open();
	if (h == NULL)
		die("nfq_open: %s (needs CAP_NET_ADMIN and nfnetlink_queue)", strerror(errno));
	qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
	if (qh == NULL)
		die("cannot bind queue %u: %s", queue, strerror(errno));
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0)
		die("cannot set copy mode: %s", strerror(errno));
	nfq_set_queue_maxlen(qh, KERNEL_QUEUE_MAX);
	fd = nfq_fd(h);
	/* without SA_RESTART: a signal ends poll() at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	deadline = now_ms() + (uint64_t)max_seconds * 1000;
	fprintf(stderr, "netemu: queue %u: loss %g%% delay %u ms jitter %u ms reorder %g%% seed %llu\n",
		queue, P.loss * 100, P.delay_ms, P.jitter_ms, P.reorder * 100,
		(unsigned long long)seed);

	while (!stop) {
		uint64_t t = now_ms(), wake = deadline;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (t >= deadline)
			break;
		if (heap_len > 0 && heap[0].due < wake)
			wake = heap[0].due;
		if (poll(&pfd, 1, wake > t ? (int)(wake - t) : 0) > 0) {
			ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

			/* ENOBUFS: the kernel dropped messages we were too slow
			 * for; those packets are lost, as on a congested link */
			if (n > 0)
				nfq_handle_packet(h, buf, (int)n);
			else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != ENOBUFS)
				die("recv: %s", strerror(errno));
		}
		release(qh, 0);
	}
	release(qh, 1);
	nfq_destroy_queue(qh);
	nfq_close(h);
	printf("netemu: queue %u: seen %llu dropped %llu delayed %llu reordered %llu overflow %llu\n",
	       queue, (unsigned long long)S.seen, (unsigned long long)S.dropped,
	       (unsigned long long)S.delayed, (unsigned long long)S.reordered,
	       (unsigned long long)S.overflow);
	return 0;
}
