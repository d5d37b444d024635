// clp: where an appliance console command starts (issue 16 point 3, docs/performance.md).
// Linked as /opt/pairha/bin/<command>; runs node on the command's bundle
// (<dist>/cli/bin/<command>.js, scripts/build-cli.js) and, when the image holds one, from the
// commands' start-up snapshot (<dist>/cli/clp.blob, scripts/build-snapshot.sh): node then
// deserializes the commands instead of reading and compiling them. Without a snapshot (a
// cross-built image) the command runs from its bundle alone. <dist> is found from this
// program's path.
//   clp --snapshot-flags   prints the V8 flags a snapshot must be built with
//   clp NAME ARGS...       runs command NAME (as the link named NAME does)
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef NODE
#define NODE "/usr/bin/node"
#endif

// A snapshot loads only under the V8 flags it was built with, and V8 turns off by itself the
// flag of each CPU feature the CPU lacks (qemu's default CPU has no SSSE3, POPCNT, LZCNT, BMI):
// a blob built on the build host fails on such a box ("built with different V8
// configurations", exit 14). With these pinned off on both sides one blob serves any x86-64.
// The last three make the blob's bytes the same at every build (scripts/build-snapshot.sh):
// no V8 threads to move the heap about, fixed random and hash seeds. A command hashes only
// the root-owned configuration and the runtime's replies: a known hash seed costs nothing.
static const char *const pinned[] = {
	"--no-enable-sse3", "--no-enable-ssse3", "--no-enable-sse4-1", "--no-enable-sse4-2",
	"--no-enable-sahf", "--no-enable-avx", "--no-enable-avx2", "--no-enable-fma3",
	"--no-enable-bmi1", "--no-enable-bmi2", "--no-enable-lzcnt", "--no-enable-popcnt",
	"--single-threaded", "--random-seed=1", "--hash-seed=1",
};
#define NPINNED (sizeof(pinned) / sizeof(pinned[0]))

// No V8 worker threads: a command is over before they would help.
static const char pool[] = "--v8-pool-size=0";

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

// <dist> from /proc/self/exe: <dist>/native/clp.
static int dist_dir(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	char *slash;
	int up;

	if (n < 0)
		return -1;
	out[n] = '\0';
	for (up = 0; up < 2; up++) {
		slash = strrchr(out, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
	return 0;
}

int main(int argc, char **argv)
{
	char dist[PATH_MAX], bundle[PATH_MAX], blob[PATH_MAX];
	const char *args[argc + NPINNED + 6];
	const char *name = strrchr(argv[0], '/');
	size_t i, k = 0;

	if (argc == 2 && !strcmp(argv[1], "--snapshot-flags")) {
		for (i = 0; i < NPINNED; i++)
			printf("%s\n", pinned[i]);
		return 0;
	}
	name = name ? name + 1 : argv[0];
	// Run by its own name, the command is the first argument (the `pairha NAME` wrapper).
	if (!strcmp(name, "clp")) {
		if (argc < 2) {
			fprintf(stderr, "usage: clp COMMAND [ARGS...] | clp --snapshot-flags\n");
			return 2;
		}
		name = argv[1];
		argv++;
		argc--;
	}
	if (!valid_name(name)) {
		fprintf(stderr, "clp: '%s' is not a command name\n", name);
		return 2;
	}
	if (dist_dir(dist, sizeof(dist)) < 0) {
		fprintf(stderr, "clp: cannot find its own path: %s\n", strerror(errno));
		return 127;
	}
	if ((size_t)snprintf(bundle, sizeof(bundle), "%s/cli/bin/%s.js", dist, name) >= sizeof(bundle) ||
	    (size_t)snprintf(blob, sizeof(blob), "%s/cli/clp.blob", dist) >= sizeof(blob)) {
		fprintf(stderr, "clp: path too long under %s\n", dist);
		return 127;
	}
	if (access(bundle, R_OK) < 0) {
		fprintf(stderr, "clp: no command named '%s' (%s: %s)\n", name, bundle, strerror(errno));
		return 2;
	}
	args[k++] = NODE;
	if (access(blob, R_OK) == 0) {
		args[k++] = "--snapshot-blob";
		args[k++] = blob;
		for (i = 0; i < NPINNED; i++)
			args[k++] = pinned[i];
	}
	args[k++] = pool;
	// The bundle's path is node's script (from a snapshot, only the command's name and the
	// directory its files are found from: src/cli/snapshot.ts).
	args[k++] = bundle;
	for (i = 1; i < (size_t)argc; i++)
		args[k++] = argv[i];
	args[k] = NULL;
	execv(NODE, (char *const *)args);
	fprintf(stderr, "clp: cannot run %s: %s\n", NODE, strerror(errno));
	return 127;
}
