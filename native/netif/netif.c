// netif: the floating IP's steps without a process per step. Spawning `ip` and `arping`
// costs 10-100 ms each on a loaded box, longer than the steps themselves: the address list
// and changes go over rtnetlink, the duplicate-address probe and the announcement over an
// AF_PACKET socket, each on a thread of its own so the event loop never waits. Not on
// libuv's pool, which the disk heartbeat's O_DSYNC I/O shares: a failover must not queue
// behind a slow disk. The thread inherits the runtime's SCHED_RR priority.
//
//   call(op, netns, iface, address, prefix, probes, gapMs, waitMs, cb(err, result))
//     op 'list'      -> [{ iface, address, prefix }] (IPv4)
//     op 'add'/'del' -> undefined                    (address/prefix on iface)
//     op 'probe'     -> MAC of a host that claims address, or null: `probes` ARP probes
//                       (sender 0.0.0.0, RFC 5227) gapMs apart, then waitMs for answers
//     op 'announce'  -> undefined                    (one gratuitous ARP request)
//     op 'claim'     -> list, probe and, if nobody answered, add and announce, all on the
//                       one thread: a busy event loop does not stand between the steps.
//                       iface '' picks the interface with an address of the same subnet.
//                       { iface, already, answeredBy?, warning? (announcement failed) }; a
//                       failure's error has stage 'list', 'pick', 'probe' or 'add' and iface.
//
// netns ('' for our own) is a namespace file (/run/netns/NAME) the worker thread enters for
// the call: tests drive an interface of another namespace from one process.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 512

enum op { OP_LIST, OP_ADD, OP_DEL, OP_PROBE, OP_ANNOUNCE, OP_CLAIM };
static const char *const op_names[] = { "list", "add", "del", "probe", "announce", "claim" };

struct addr {
	char iface[IF_NAMESIZE];
	struct in_addr ip;
	int prefix;
};

struct arp_pkt {
	struct arphdr h;
	unsigned char sha[ETH_ALEN];
	struct in_addr spa;
	unsigned char tha[ETH_ALEN];
	struct in_addr tpa;
} __attribute__((packed));

struct job {
	napi_threadsafe_function done;
	enum op op;
	char netns[256];
	char iface[IF_NAMESIZE];
	struct in_addr ip;
	int prefix, probes, gap_ms, wait_ms;
	int err;            /* errno, 0 on success */
	const char *what;   /* step that failed */
	const char *stage;  /* claim: 'probe' or 'add' */
	char warning[300];  /* claim: the announcement failed */
	char what_ns[300];
	struct addr *addrs;
	int naddrs;
	int answered;
	int already;        /* claim: the address is here already */
	unsigned char mac[ETH_ALEN];
};

static int fail(struct job *j, const char *what, int err)
{
	j->what = what;
	j->err = err;
	return -1;
}

/* Netlink request/answer; every answer ends (ack, error or dump end) within the timeout. */
static int nl_open(struct job *j)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return fail(j, "netlink socket", errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void list_addrs(struct job *j)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.ifa = { .ifa_family = AF_INET },
	};
	char *buf = malloc(32768);
	int fd = nl_open(j), done = 0;

	if (fd < 0) {
		free(buf);
		return;
	}
	j->addrs = calloc(MAX_ADDRS, sizeof(*j->addrs));
	if (!j->addrs || !buf) {
		fail(j, "list", ENOMEM);
		goto out;
	}
	if (send(fd, &req, sizeof(req), 0) < 0) {
		fail(j, "netlink send", errno);
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, 32768, 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			fail(j, "netlink recv", errno);
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(nh);
			struct rtattr *rta;
			int len;
			struct in_addr *local = NULL, *address = NULL;

			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				fail(j, "netlink dump", -((struct nlmsgerr *)NLMSG_DATA(nh))->error);
				goto out;
			}
			if (nh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET || j->naddrs == MAX_ADDRS)
				continue;
			len = (int)IFA_PAYLOAD(nh);
			for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
				if (rta->rta_type == IFA_LOCAL)
					local = RTA_DATA(rta);
				else if (rta->rta_type == IFA_ADDRESS)
					address = RTA_DATA(rta);
			}
			if (!local)
				local = address;   /* IFA_LOCAL is the address itself; without it, IFA_ADDRESS is */
			if (!local || !if_indextoname(ifa->ifa_index, j->addrs[j->naddrs].iface))
				continue;
			j->addrs[j->naddrs].ip = *local;
			j->addrs[j->naddrs].prefix = ifa->ifa_prefixlen;
			j->naddrs++;
		}
	}
out:
	free(buf);
	close(fd);
}

static void change_addr(struct job *j)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[2 * RTA_SPACE(sizeof(struct in_addr))];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr e;
	} ack;
	struct rtattr *rta;
	unsigned idx = if_nametoindex(j->iface);
	int fd;
	ssize_t n;

	if (!idx) {
		fail(j, "interface", errno);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = j->op == OP_ADD ? RTM_NEWADDR : RTM_DELADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (j->op == OP_ADD ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = (unsigned char)j->prefix;
	req.ifa.ifa_index = idx;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	/* As `ip addr add A/P dev D`: local and peer address both A. */
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = IFA_LOCAL;
	rta->rta_len = RTA_LENGTH(sizeof(j->ip));
	memcpy(RTA_DATA(rta), &j->ip, sizeof(j->ip));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_SPACE(sizeof(j->ip));
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = IFA_ADDRESS;
	rta->rta_len = RTA_LENGTH(sizeof(j->ip));
	memcpy(RTA_DATA(rta), &j->ip, sizeof(j->ip));
	req.nh.nlmsg_len += RTA_SPACE(sizeof(j->ip));

	fd = nl_open(j);
	if (fd < 0)
		return;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		fail(j, "netlink send", errno);
	else if ((n = recv(fd, &ack, sizeof(ack), 0)) < 0)
		fail(j, "netlink recv", errno);
	else if (n < (ssize_t)sizeof(ack) || ack.nh.nlmsg_type != NLMSG_ERROR)
		fail(j, "netlink answer", EPROTO);
	else if (ack.e.error)
		fail(j, j->op == OP_ADD ? "add address" : "delete address", -ack.e.error);
	close(fd);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* An ARP socket on iface, with its MAC and index; -1 when the interface does no ARP. */
static int arp_open(struct job *j, unsigned char *mac, struct sockaddr_ll *to)
{
	struct ifreq ifr;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));

	if (fd < 0)
		return fail(j, "packet socket", errno);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", j->iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		fail(j, "interface", errno);
		goto bad;
	}
	if (ifr.ifr_flags & IFF_NOARP) {
		fail(j, "interface does no ARP", EOPNOTSUPP);
		goto bad;
	}
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		fail(j, "interface has no Ethernet address", errno ? errno : EOPNOTSUPP);
		goto bad;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_protocol = htons(ETH_P_ARP);
	to->sll_ifindex = (int)if_nametoindex(j->iface);
	to->sll_halen = ETH_ALEN;
	memset(to->sll_addr, 0xff, ETH_ALEN);
	if (!to->sll_ifindex || bind(fd, (struct sockaddr *)to, sizeof(*to)) < 0) {
		fail(j, "bind packet socket", errno);
		goto bad;
	}
	return fd;
bad:
	close(fd);
	return -1;
}

static int arp_send(int fd, struct sockaddr_ll *to, const unsigned char *mac, struct in_addr spa, struct in_addr tpa)
{
	struct arp_pkt p = {
		.h = { .ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP), .ar_hln = ETH_ALEN, .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST) },
		.spa = spa, .tpa = tpa,
	};

	memcpy(p.sha, mac, ETH_ALEN);
	return sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)to, sizeof(*to)) == sizeof(p) ? 0 : -1;
}

/* RFC 5227 2.1.1: a conflict is any ARP packet from another host whose sender address is
 * ours-to-be (it holds it), or a probe for the same address (it is claiming it now). */
static int conflicts(struct job *j, const struct arp_pkt *p, const unsigned char *mac)
{
	if (ntohs(p->h.ar_hrd) != ARPHRD_ETHER || ntohs(p->h.ar_pro) != ETH_P_IP || p->h.ar_hln != ETH_ALEN || p->h.ar_pln != 4)
		return 0;
	if (!memcmp(p->sha, mac, ETH_ALEN))
		return 0;
	if (p->spa.s_addr == j->ip.s_addr)
		return 1;
	return ntohs(p->h.ar_op) == ARPOP_REQUEST && p->spa.s_addr == 0 && p->tpa.s_addr == j->ip.s_addr;
}

static void probe(struct job *j)
{
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll to;
	struct in_addr none = { 0 };
	int fd = arp_open(j, mac, &to), sent = 0;
	long long start = now_ms(), next = start, end = start + (long long)(j->probes - 1) * j->gap_ms + j->wait_ms;

	if (fd < 0)
		return;
	for (;;) {
		long long now = now_ms(), until = end;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;

		if (sent < j->probes && now >= next) {
			if (arp_send(fd, &to, mac, none, j->ip) < 0) {
				fail(j, "send ARP probe", errno);
				break;
			}
			sent++;
			next += j->gap_ms;
			continue;
		}
		if (now >= end)
			break;
		if (sent < j->probes && next < until)
			until = next;
		r = poll(&pfd, 1, (int)(until - now));
		if (r < 0 && errno != EINTR) {
			fail(j, "poll", errno);
			break;
		}
		while (r > 0) {
			struct arp_pkt p;
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, &p, sizeof(p), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

			if (n < 0)
				break;
			if (n == sizeof(p) && from.sll_pkttype != PACKET_OUTGOING && conflicts(j, &p, mac)) {
				j->answered = 1;
				memcpy(j->mac, p.sha, ETH_ALEN);
				goto out;
			}
		}
	}
out:
	close(fd);
}

static void announce(struct job *j)
{
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll to;
	int fd = arp_open(j, mac, &to);

	if (fd < 0)
		return;
	/* Gratuitous: sender and target both the address (arping -U). */
	if (arp_send(fd, &to, mac, j->ip, j->ip) < 0)
		fail(j, "send gratuitous ARP", errno);
	close(fd);
}

static int same_subnet(struct in_addr a, struct in_addr b, int prefix)
{
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;

	return (a.s_addr & mask) == (b.s_addr & mask);
}

/* Claim's first step, without a round trip through the event loop: is the address here
 * already; else the interface (given, or the one with an address of the same subnet). */
static int pick(struct job *j)
{
	int i;

	list_addrs(j);
	if (j->err)
		return -1;
	for (i = 0; i < j->naddrs; i++)
		if (j->addrs[i].ip.s_addr == j->ip.s_addr) {
			j->already = 1;
			snprintf(j->iface, sizeof(j->iface), "%s", j->addrs[i].iface);
			return -1;
		}
	j->stage = "pick";
	for (i = 0; i < j->naddrs; i++)
		if (j->iface[0] ? !strcmp(j->addrs[i].iface, j->iface) : same_subnet(j->addrs[i].ip, j->ip, j->addrs[i].prefix))
			break;
	if (i == j->naddrs)
		return fail(j, j->iface[0] ? "interface has no IPv4 address" : "no interface on the address's subnet", ENODEV);
	snprintf(j->iface, sizeof(j->iface), "%s", j->addrs[i].iface);
	return 0;
}

static void execute(struct job *j)
{
	int home = -1, ns;

	if (j->netns[0]) {
		home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0) {
			fail(j, "open /proc/thread-self/ns/net", errno);
			return;
		}
		ns = open(j->netns, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
			snprintf(j->what_ns, sizeof(j->what_ns), "enter network namespace %s", j->netns);
			fail(j, j->what_ns, errno);
			if (ns >= 0)
				close(ns);
			close(home);
			return;
		}
		close(ns);
	}
	switch (j->op) {
	case OP_LIST: list_addrs(j); break;
	case OP_ADD:
	case OP_DEL: change_addr(j); break;
	case OP_PROBE: probe(j); break;
	case OP_ANNOUNCE: announce(j); break;
	case OP_CLAIM:
		j->stage = "list";
		if (pick(j))
			break;
		j->stage = "probe";
		probe(j);
		if (j->err || j->answered)
			break;
		j->stage = "add";
		j->op = OP_ADD;
		change_addr(j);
		j->op = OP_CLAIM;
		if (j->err)
			break;
		announce(j);
		if (j->err) {
			snprintf(j->warning, sizeof(j->warning), "%s: %s: %s", j->iface, j->what, strerror(j->err));
			j->err = 0;
		}
		break;
	}
	if (home >= 0) {
		/* A pool thread left in another namespace would misdirect every later call. */
		if (setns(home, CLONE_NEWNET) < 0)
			abort();
		close(home);
	}
}

static void release(struct job *j)
{
	free(j->addrs);
	free(j);
}

/* On the main thread: the result to the callback. */
static void complete(napi_env env, napi_value cb, void *context, void *data)
{
	struct job *j = data;
	napi_value global, argv[2], v;
	char text[INET_ADDRSTRLEN + 320];
	int i;

	(void)context;
	if (!env) {   /* the environment is going away */
		release(j);
		return;
	}
	napi_get_global(env, &global);
	napi_get_undefined(env, &argv[1]);
	if (j->err) {
		napi_value m, c;

		snprintf(text, sizeof(text), "%s%s%s: %s", j->iface, j->iface[0] ? ": " : "", j->what, strerror(j->err));
		napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &m);
		napi_create_string_utf8(env, j->err == ENODEV ? "ENODEV" : j->err == EEXIST ? "EEXIST" : j->err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" :
					j->err == EOPNOTSUPP ? "EOPNOTSUPP" : j->err == EPERM ? "EPERM" : "ENETIF", NAPI_AUTO_LENGTH, &c);
		napi_create_error(env, c, m, &argv[0]);
		napi_create_int32(env, j->err, &v);
		napi_set_named_property(env, argv[0], "errno", v);
		if (j->stage) {
			napi_create_string_utf8(env, j->stage, NAPI_AUTO_LENGTH, &v);
			napi_set_named_property(env, argv[0], "stage", v);
			napi_create_string_utf8(env, j->iface, NAPI_AUTO_LENGTH, &v);
			napi_set_named_property(env, argv[0], "iface", v);
		}
	} else {
		napi_get_null(env, &argv[0]);
		if (j->op == OP_LIST) {
			napi_create_array_with_length(env, (size_t)j->naddrs, &argv[1]);
			for (i = 0; i < j->naddrs; i++) {
				napi_value o;

				napi_create_object(env, &o);
				napi_create_string_utf8(env, j->addrs[i].iface, NAPI_AUTO_LENGTH, &v);
				napi_set_named_property(env, o, "iface", v);
				inet_ntop(AF_INET, &j->addrs[i].ip, text, sizeof(text));
				napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
				napi_set_named_property(env, o, "address", v);
				napi_create_int32(env, j->addrs[i].prefix, &v);
				napi_set_named_property(env, o, "prefix", v);
				napi_set_element(env, argv[1], (uint32_t)i, o);
			}
		} else if (j->op == OP_CLAIM) {
			napi_create_object(env, &argv[1]);
			napi_create_string_utf8(env, j->iface, NAPI_AUTO_LENGTH, &v);
			napi_set_named_property(env, argv[1], "iface", v);
			napi_get_boolean(env, j->already, &v);
			napi_set_named_property(env, argv[1], "already", v);
			if (j->answered) {
				snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", j->mac[0], j->mac[1], j->mac[2], j->mac[3], j->mac[4], j->mac[5]);
				napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
				napi_set_named_property(env, argv[1], "answeredBy", v);
			}
			if (j->warning[0]) {
				napi_create_string_utf8(env, j->warning, NAPI_AUTO_LENGTH, &v);
				napi_set_named_property(env, argv[1], "warning", v);
			}
		} else if (j->op == OP_PROBE) {
			if (j->answered) {
				snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", j->mac[0], j->mac[1], j->mac[2], j->mac[3], j->mac[4], j->mac[5]);
				napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &argv[1]);
			} else {
				napi_get_null(env, &argv[1]);
			}
		}
	}
	napi_call_function(env, global, cb, 2, argv, NULL);
	release(j);
}

static void *run(void *data)
{
	struct job *j = data;
	napi_threadsafe_function done = j->done;

	execute(j);
	napi_call_threadsafe_function(done, j, napi_tsfn_blocking);
	napi_release_threadsafe_function(done, napi_tsfn_release);
	return NULL;
}

static napi_value throw_type(napi_env env, const char *msg)
{
	napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
	return NULL;
}

static int get_int(napi_env env, napi_value v, int lo, int hi, int *out)
{
	return napi_get_value_int32(env, v, out) == napi_ok && *out >= lo && *out <= hi;
}

static napi_value js_call(napi_env env, napi_callback_info info)
{
	size_t argc = 9, len;
	napi_value argv[9], name;
	napi_valuetype t;
	char opname[16], addr[INET_ADDRSTRLEN];
	struct job *j;
	unsigned i;
	pthread_attr_t attr;
	pthread_t thread;
	int err;

	napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
	if (argc != 9)
		return throw_type(env, "expected (op, netns, iface, address, prefix, probes, gapMs, waitMs, callback)");
	napi_typeof(env, argv[8], &t);
	if (t != napi_function)
		return throw_type(env, "callback must be a function");
	j = calloc(1, sizeof(*j));
	if (!j) {
		napi_throw_error(env, "ENOMEM", "netif: out of memory");
		return NULL;
	}
	if (napi_get_value_string_utf8(env, argv[0], opname, sizeof(opname), &len) != napi_ok)
		goto bad_op;
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]) && strcmp(opname, op_names[i]); i++)
		;
	if (i == sizeof(op_names) / sizeof(op_names[0]))
		goto bad_op;
	j->op = (enum op)i;
	if (j->op == OP_CLAIM)
		j->stage = "list";   /* entering the namespace counts as the lookup */
	if (napi_get_value_string_utf8(env, argv[1], j->netns, sizeof(j->netns), &len) != napi_ok || len >= sizeof(j->netns) - 1) {
		free(j);
		return throw_type(env, "netns must be a path string ('' for this process's namespace)");
	}
	if (napi_get_value_string_utf8(env, argv[2], j->iface, sizeof(j->iface), &len) != napi_ok || len >= sizeof(j->iface) - 1 ||
	    (j->op != OP_LIST && j->op != OP_CLAIM && !len)) {
		free(j);
		return throw_type(env, "iface must be an interface name (1-15 characters)");
	}
	if (j->op != OP_LIST && (napi_get_value_string_utf8(env, argv[3], addr, sizeof(addr), &len) != napi_ok ||
				  inet_pton(AF_INET, addr, &j->ip) != 1)) {
		free(j);
		return throw_type(env, "address must be a dotted IPv4 address");
	}
	if (!get_int(env, argv[4], 0, 32, &j->prefix) || !get_int(env, argv[5], 0, 100, &j->probes) ||
	    !get_int(env, argv[6], 0, 60000, &j->gap_ms) || !get_int(env, argv[7], 0, 60000, &j->wait_ms) ||
	    ((j->op == OP_PROBE || j->op == OP_CLAIM) && j->probes < 1)) {
		free(j);
		return throw_type(env, "prefix 0-32, probes 0-100 (at least 1 to probe), gapMs and waitMs 0-60000");
	}
	napi_create_string_utf8(env, "netif.call", NAPI_AUTO_LENGTH, &name);
	if (napi_create_threadsafe_function(env, argv[8], NULL, name, 0, 1, NULL, NULL, NULL, complete, &j->done) != napi_ok) {
		free(j);
		napi_throw_error(env, "ENETIF", "netif: cannot create the completion callback");
		return NULL;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&thread, &attr, run, j);
	pthread_attr_destroy(&attr);
	if (err) {
		napi_release_threadsafe_function(j->done, napi_tsfn_abort);
		free(j);
		napi_throw_error(env, "ENETIF", "netif: cannot start a thread");
		return NULL;
	}
	return NULL;
bad_op:
	free(j);
	return throw_type(env, "op must be one of list, add, del, probe, announce, claim");
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "call", NULL, js_call, NULL, NULL, NULL, napi_enumerable, NULL },
	};

	napi_define_properties(env, exports, 1, props);
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
