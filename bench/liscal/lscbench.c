// SPDX-License-Identifier: GPL-2.0
/* Block and TCP micro-benchmarks run inside the test VMs (built static).
 *   lscbench lat DEV COUNT SPAN_MB    4 KiB random writes, O_DIRECT|O_DSYNC, one at a time
 *   lscbench rand DEV COUNT SPAN_MB   the same without O_DSYNC (to dirty a bitmap quickly)
 *   lscbench seq DEV MB               1 MiB sequential O_DIRECT writes, then fdatasync
 *   lscbench pp-server PORT COUNT     TCP 4 KiB ping-pong, echo side
 *   lscbench pp-client IP PORT COUNT  TCP 4 KiB ping-pong, timing side
 *   lscbench xfer-server PORT COUNT KB     TCP KB-sized messages each answered by one byte,
 *   lscbench xfer-client IP PORT COUNT KB  (a mirrored write's traffic at queue depth 1), MB/s
 * Output: one line of key=value (microseconds, MB/s). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%s n=%d median_us=%.0f p90_us=%.0f p99_us=%.0f mean_us=%.0f\n", what, n, v[n / 2],
	       v[n * 9 / 10], v[n * 99 / 100], sum / n);
}

static void *aligned(size_t n)
{
	void *p;

	if (posix_memalign(&p, BLK, n)) {
		perror("posix_memalign");
		exit(1);
	}
	memset(p, 0x5a, n);
	return p;
}

static int random_writes(const char *dev, int count, long span_mb, int dsync)
{
	int fd = open(dev, O_WRONLY | O_DIRECT | (dsync ? O_DSYNC : 0));
	long blocks = span_mb * 1024 * 1024 / BLK;
	double *lat = calloc(count, sizeof(double));
	char *buf = aligned(BLK);
	unsigned int seed = 12345;
	int i;

	if (fd < 0 || !lat) {
		perror(dev);
		return 1;
	}
	for (i = 0; i < count; i++) {
		off_t off = (off_t)(rand_r(&seed) % blocks) * BLK;
		double t0 = now_us();

		memcpy(buf, &i, sizeof(i));
		if (pwrite(fd, buf, BLK, off) != BLK) {
			perror("pwrite");
			return 1;
		}
		lat[i] = now_us() - t0;
	}
	if (fdatasync(fd))
		perror("fdatasync");
	report(dsync ? "lat" : "rand", lat, count);
	close(fd);
	return 0;
}

static int seq_writes(const char *dev, long mb)
{
	int fd = open(dev, O_WRONLY | O_DIRECT);
	size_t chunk = 1 << 20;
	char *buf = aligned(chunk);
	double t0;
	long i;

	if (fd < 0) {
		perror(dev);
		return 1;
	}
	t0 = now_us();
	for (i = 0; i < mb; i++) {
		if (pwrite(fd, buf, chunk, (off_t)i * chunk) != (ssize_t)chunk) {
			perror("pwrite");
			return 1;
		}
	}
	if (fdatasync(fd))
		perror("fdatasync");
	printf("seq mb=%ld mbps=%.1f\n", mb, mb / ((now_us() - t0) / 1e6));
	close(fd);
	return 0;
}

static int full_io(int fd, char *buf, int n, int rd)
{
	int done = 0, r;

	while (done < n) {
		r = rd ? read(fd, buf + done, n - done) : write(fd, buf + done, n - done);
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

static int tcp_open(int server, const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, fd, i;

	if (server) {
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		if (bind(s, (void *)&sin, sizeof(sin)) || listen(s, 1))
			return -1;
		fd = accept(s, NULL, NULL);
	} else {
		inet_pton(AF_INET, ip, &sin.sin_addr);
		for (i = 0; i < 100 && connect(s, (void *)&sin, sizeof(sin)); i++)
			usleep(100000);
		fd = s;
	}
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int pingpong(int server, const char *ip, int port, int count)
{
	int fd = tcp_open(server, ip, port), i;
	double *lat = calloc(count, sizeof(double));
	char buf[BLK];

	if (fd < 0) {
		perror("connect/accept");
		return 1;
	}
	memset(buf, 0x33, sizeof(buf));
	for (i = 0; i < count; i++) {
		double t0 = now_us();

		if (server ? full_io(fd, buf, BLK, 1) || full_io(fd, buf, BLK, 0)
			   : full_io(fd, buf, BLK, 0) || full_io(fd, buf, BLK, 1)) {
			fprintf(stderr, "ping-pong: %s\n", strerror(errno));
			return 1;
		}
		lat[i] = now_us() - t0;
	}
	if (!server)
		report("pingpong", lat, count);
	return 0;
}

static int xfer(int server, const char *ip, int port, int count, int kb)
{
	int fd = tcp_open(server, ip, port), n = kb * 1024, i;
	char *buf = malloc(n), ack = 1;
	double t0;

	if (fd < 0 || !buf) {
		perror("xfer");
		return 1;
	}
	memset(buf, 0x5a, n);
	t0 = now_us();
	for (i = 0; i < count; i++) {
		if (server ? full_io(fd, buf, n, 1) || full_io(fd, &ack, 1, 0)
			   : full_io(fd, buf, n, 0) || full_io(fd, &ack, 1, 1)) {
			fprintf(stderr, "xfer: %s\n", strerror(errno));
			return 1;
		}
	}
	if (!server)
		printf("xfer kb=%d mbps=%.1f\n", kb, (double)count * n / 1048576 / ((now_us() - t0) / 1e6));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "lat"))
		return random_writes(argv[2], atoi(argv[3]), atol(argv[4]), 1);
	if (argc == 5 && !strcmp(argv[1], "rand"))
		return random_writes(argv[2], atoi(argv[3]), atol(argv[4]), 0);
	if (argc == 4 && !strcmp(argv[1], "seq"))
		return seq_writes(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "pp-server"))
		return pingpong(1, NULL, atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "pp-client"))
		return pingpong(0, argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "xfer-server"))
		return xfer(1, NULL, atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "xfer-client"))
		return xfer(0, argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: see the comment at the top of lscbench.c\n");
	return 2;
}
