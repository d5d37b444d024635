// SPDX-License-Identifier: GPL-2.0
/* A guest tool against liscal's data port (the liscal VM test):
 *   lscpoke flood HOST PORT N SECS   N connections, each trickling one byte of
 *       a header every 200 ms; one the peer closes is opened again. Prints
 *       "reopened=K" at the end (K: connections the peer ended).
 *   lscpoke relay LPORT HOST PORT    accepts one connection on LPORT and
 *       relays it both ways to HOST:PORT until either side closes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *host, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "lscpoke: bad address %s\n", host);
		exit(2);
	}
	return a;
}

static int dial(const struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (const struct sockaddr *)a, sizeof(*a))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static int flood(const struct sockaddr_in *a, int n, int secs)
{
	static const unsigned char magic[4] = { 'L', 'S', 'C', 'L' };	/* LSC_MAGIC, little-endian */
	int fd[256], sent[256], i, reopened = 0;
	time_t end = time(NULL) + secs;

	if (n < 1 || n > 256)
		return 2;
	for (i = 0; i < n; i++) {
		fd[i] = dial(a);
		sent[i] = 0;
	}
	while (time(NULL) < end) {
		for (i = 0; i < n; i++) {
			char c;

			/* closed by the peer (a read sees EOF or a reset): open again */
			if (fd[i] >= 0 && recv(fd[i], &c, 1, MSG_DONTWAIT) == 0)
				goto reopen;
			if (fd[i] >= 0 && send(fd[i], &magic[sent[i] % 4], 1, MSG_NOSIGNAL) == 1) {
				sent[i]++;
				continue;
			}
reopen:
			if (fd[i] >= 0) {
				close(fd[i]);
				reopened++;
			}
			fd[i] = dial(a);
			sent[i] = 0;
		}
		usleep(200000);
	}
	printf("reopened=%d\n", reopened);
	return 0;
}

static int relay(int lport, const struct sockaddr_in *a)
{
	struct sockaddr_in l = { .sin_family = AF_INET, .sin_port = htons(lport) };
	struct pollfd p[2];
	char buf[4096];
	int ls, one = 1, i;
	ssize_t k;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&l, sizeof(l)) || listen(ls, 1)) {
		perror("lscpoke: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	p[0].fd = accept(ls, NULL, NULL);
	p[1].fd = dial(a);
	if (p[0].fd < 0 || p[1].fd < 0) {
		perror("lscpoke: relay");
		return 1;
	}
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0)
			return 1;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k <= 0 || write(p[!i].fd, buf, k) != k)
				return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;

	if (argc == 6 && !strcmp(argv[1], "flood")) {
		a = addr(argv[2], argv[3]);
		return flood(&a, atoi(argv[4]), atoi(argv[5]));
	}
	if (argc == 5 && !strcmp(argv[1], "relay")) {
		a = addr(argv[3], argv[4]);
		return relay(atoi(argv[2]), &a);
	}
	fprintf(stderr, "usage: lscpoke flood HOST PORT N SECS | relay LPORT HOST PORT\n");
	return 2;
}
