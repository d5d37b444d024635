// directio: positioned reads and writes that bypass the page cache (O_DIRECT), for the
// disk heartbeat on a partition shared by two boxes. Node's fs cannot do this alone: O_DIRECT
// needs a buffer aligned to the device's logical block size, and a Buffer's address is not
// ours to choose. Each call opens, does one I/O on a worker thread, and closes, so a replaced
// or vanished device node is seen at once and a hung disk never blocks the event loop.
//
//   read(path, offset, length, cb(err, buffer))
//   write(path, offset, buffer, cb(err))        O_DIRECT | O_DSYNC
//   blockSize(path) -> number                   logical block size (512 for regular files)
//
// offset and length must be multiples of the logical block size: a partial-block write would
// be a read-modify-write racing the peer's slot in the same block.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN 4096
#define MAX_IO (16 * 1024 * 1024)

struct job {
	napi_async_work work;
	napi_ref cb;
	char *path;
	int64_t offset;
	size_t length;
	int writing;
	void *buf;          /* aligned; length bytes */
	int err;            /* errno, 0 on success */
	const char *what;   /* step that failed */
};

static int logical_block_size(int fd)
{
	struct stat st;
	int bs = 512;

	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && ioctl(fd, BLKSSZGET, &bs) != 0)
		bs = 512;
	return bs;
}

static void execute(napi_env env, void *data)
{
	struct job *j = data;
	int fd = open(j->path, (j->writing ? O_WRONLY | O_DSYNC : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	ssize_t n;
	int bs;

	(void)env;
	if (fd < 0) {
		j->err = errno;
		j->what = "open";
		return;
	}
	bs = logical_block_size(fd);
	if (j->offset % bs || j->length % bs) {
		j->err = EINVAL;
		j->what = "alignment";
		close(fd);
		return;
	}
	n = j->writing ? pwrite(fd, j->buf, j->length, j->offset) : pread(fd, j->buf, j->length, j->offset);
	if (n < 0) {
		j->err = errno;
		j->what = j->writing ? "pwrite" : "pread";
	} else if (j->writing && (size_t)n != j->length) {
		j->err = EIO;
		j->what = "short write";
	} else {
		j->length = (size_t)n;   /* a read may end at the end of the device */
	}
	if (close(fd) != 0 && !j->err) {
		j->err = errno;
		j->what = "close";
	}
}

static napi_value make_error(napi_env env, struct job *j)
{
	char msg[512];
	napi_value m, c, e;
	const char *code = j->err == EINVAL ? "EINVAL" : j->err == ENOENT ? "ENOENT" : j->err == EIO ? "EIO" :
			   j->err == EACCES ? "EACCES" : j->err == ENXIO ? "ENXIO" : "EDIRECTIO";

	if (strcmp(j->what, "alignment") == 0)
		snprintf(msg, sizeof(msg), "%s: O_DIRECT %s of %zu bytes at %lld: not a multiple of the device's logical block size",
			 j->path, j->writing ? "write" : "read", j->length, (long long)j->offset);
	else
		snprintf(msg, sizeof(msg), "%s: %s: %s", j->path, j->what, strerror(j->err));
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
	napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
	napi_create_error(env, c, m, &e);
	return e;
}

static void release(struct job *j)
{
	free(j->path);
	free(j->buf);
	free(j);
}

static void complete(napi_env env, napi_status status, void *data)
{
	struct job *j = data;
	napi_value cb, global, argv[2];
	size_t argc = 1;

	napi_get_reference_value(env, j->cb, &cb);
	napi_get_global(env, &global);
	if (status != napi_ok) {
		j->err = ECANCELED;
		j->what = "cancelled";
	}
	if (j->err) {
		argv[0] = make_error(env, j);
	} else {
		napi_get_null(env, &argv[0]);
		if (!j->writing) {
			napi_create_buffer_copy(env, j->length, j->buf, NULL, &argv[1]);
			argc = 2;
		}
	}
	napi_call_function(env, global, cb, argc, argv, NULL);
	napi_delete_reference(env, j->cb);
	napi_delete_async_work(env, j->work);
	release(j);
}

static napi_value throw_type(napi_env env, const char *msg)
{
	napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
	return NULL;
}

/* Parses (path, offset, length|buffer, cb) into a job; NULL after throwing. */
static struct job *parse(napi_env env, napi_callback_info info, int writing)
{
	size_t argc = 4, len;
	napi_value argv[4];
	napi_valuetype t;
	struct job *j;
	int64_t offset, length = 0;
	void *data = NULL;
	bool isbuf = false;

	napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
	if (argc != 4)
		return throw_type(env, "expected (path, offset, length or buffer, callback)"), NULL;
	napi_typeof(env, argv[0], &t);
	if (t != napi_string)
		return throw_type(env, "path must be a string"), NULL;
	if (napi_get_value_int64(env, argv[1], &offset) != napi_ok || offset < 0)
		return throw_type(env, "offset must be a non-negative integer"), NULL;
	if (writing) {
		napi_is_buffer(env, argv[2], &isbuf);
		if (!isbuf)
			return throw_type(env, "data must be a Buffer"), NULL;
		napi_get_buffer_info(env, argv[2], &data, &len);
		length = (int64_t)len;
	} else if (napi_get_value_int64(env, argv[2], &length) != napi_ok) {
		return throw_type(env, "length must be an integer"), NULL;
	}
	if (length <= 0 || length > MAX_IO)
		return throw_type(env, "length must be between 1 and 16 MiB"), NULL;
	napi_typeof(env, argv[3], &t);
	if (t != napi_function)
		return throw_type(env, "callback must be a function"), NULL;

	j = calloc(1, sizeof(*j));
	if (!j || posix_memalign(&j->buf, ALIGN, (size_t)length) != 0) {
		free(j);
		napi_throw_error(env, "ENOMEM", "directio: out of memory");
		return NULL;
	}
	napi_get_value_string_utf8(env, argv[0], NULL, 0, &len);
	j->path = malloc(len + 1);
	if (!j->path) {
		release(j);
		napi_throw_error(env, "ENOMEM", "directio: out of memory");
		return NULL;
	}
	napi_get_value_string_utf8(env, argv[0], j->path, len + 1, &len);
	j->offset = offset;
	j->length = (size_t)length;
	j->writing = writing;
	if (writing)
		memcpy(j->buf, data, (size_t)length);
	napi_create_reference(env, argv[3], 1, &j->cb);
	return j;
}

static napi_value start(napi_env env, napi_callback_info info, int writing)
{
	struct job *j = parse(env, info, writing);
	napi_value name;

	if (!j)
		return NULL;
	napi_create_string_utf8(env, writing ? "directio.write" : "directio.read", NAPI_AUTO_LENGTH, &name);
	napi_create_async_work(env, NULL, name, execute, complete, j, &j->work);
	napi_queue_async_work(env, j->work);
	return NULL;
}

static napi_value js_read(napi_env env, napi_callback_info info) { return start(env, info, 0); }
static napi_value js_write(napi_env env, napi_callback_info info) { return start(env, info, 1); }

static napi_value js_block_size(napi_env env, napi_callback_info info)
{
	size_t argc = 1, len;
	napi_value argv[1], out;
	char path[4096];
	int fd, bs;

	napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
	if (argc != 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len) != napi_ok)
		return throw_type(env, "expected (path)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		napi_throw_error(env, errno == ENOENT ? "ENOENT" : "EDIRECTIO", strerror(errno));
		return NULL;
	}
	bs = logical_block_size(fd);
	close(fd);
	napi_create_int32(env, bs, &out);
	return out;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "read", NULL, js_read, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "blockSize", NULL, js_block_size, NULL, NULL, NULL, napi_enumerable, NULL },
	};

	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
