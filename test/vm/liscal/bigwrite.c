// bigwrite DEV OFFSET_MIB: one O_DIRECT write of 2 MiB from a huge page.
// The buffer is physically contiguous, so the block layer hands the driver a
// single bio larger than its 1 MiB max_hw_sectors (a bio-based driver must
// split it itself). Pattern: byte i = (i * 7 + OFFSET_MIB) & 0xff.
// Static build for the test initramfs: gcc -O2 -static.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (2u << 20)

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bigwrite DEV OFFSET_MIB\n");
		return 2;
	}
	long mib = atol(argv[2]);
	unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap MAP_HUGETLB (vm.nr_hugepages?)");
		return 1;
	}
	for (unsigned i = 0; i < LEN; i++)
		p[i] = (unsigned char)(i * 7 + mib);
	int fd = open(argv[1], O_WRONLY | O_DIRECT);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	ssize_t n = pwrite(fd, p, LEN, (off_t)mib << 20);
	if (n != (ssize_t)LEN) {
		if (n < 0)
			perror("pwrite");
		else
			fprintf(stderr, "pwrite: short write %zd of %u\n", n, LEN);
		return 1;
	}
	if (fsync(fd)) {
		perror("fsync");
		return 1;
	}
	printf("wrote %u bytes at %ld MiB\n", LEN, mib);
	return 0;
}
