/* tlsward: files on POSIX systems. */
#include "file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *tlsr_file_open(const char *path, const char *mode)
{
	return fopen(path, mode);
}

/* errno as a tlsward error. */
static tlsr_err from_errno(int e)
{
	return e == ENOENT || e == ENOTDIR ? TLSR_ENOTFOUND
	       : e == EACCES || e == EPERM ? TLSR_EACCESS
	       : e == ENOMEM		   ? TLSR_ENOMEM
					   : TLSR_EIO;
}

tlsr_err tlsr_file_read_all(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;
	int e;

	if (f == NULL) {
		e = errno;
		snprintf(why, why_size, "%s", strerror(e));
		return from_errno(e);
	}
	data = malloc(max + 2);
	if (data == NULL) {
		fclose(f);
		snprintf(why, why_size, "out of memory");
		return TLSR_ENOMEM;
	}
	n = fread(data, 1, max + 1, f);
	e = ferror(f) ? errno : 0;
	fclose(f);
	if (e != 0) {
		free(data);
		snprintf(why, why_size, "%s", strerror(e));
		return TLSR_EIO;
	}
	if (n > max) {
		free(data);
		snprintf(why, why_size, "larger than %zu bytes", max);
		return TLSR_ETOOBIG;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	return TLSR_OK;
}

tlsr_err tlsr_file_replace(const char *path, const void *data, size_t len,
			   char *why, size_t why_size)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 5);
	FILE *f;
	int e = 0;

	if (tmp == NULL) {
		snprintf(why, why_size, "out of memory");
		return TLSR_ENOMEM;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	f = fopen(tmp, "wb");
	if (f == NULL) {
		e = errno;
		snprintf(why, why_size, "cannot create %s: %s", tmp,
			 strerror(e));
		free(tmp);
		return from_errno(e);
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		e = errno ? errno : EIO;
	if (fclose(f) != 0 && e == 0)
		e = errno;
	if (e == 0 && rename(tmp, path) != 0)
		e = errno;
	if (e != 0) {
		snprintf(why, why_size, "cannot write %s: %s", path,
			 strerror(e));
		remove(tmp);
		free(tmp);
		return from_errno(e);
	}
	free(tmp);
	return TLSR_OK;
}

tlsr_err tlsr_file_remove(const char *path, char *why, size_t why_size)
{
	if (remove(path) != 0 && errno != ENOENT) {
		int e = errno;

		snprintf(why, why_size, "cannot remove %s: %s", path,
			 strerror(e));
		return from_errno(e);
	}
	return TLSR_OK;
}

tlsr_err tlsr_file_stat(const char *path, uint64_t *size, uint64_t *mtime,
			char *why, size_t why_size)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		int e = errno;

		snprintf(why, why_size, "%s", strerror(e));
		return from_errno(e);
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, why_size, "is a directory");
		return TLSR_EIO;
	}
	*size = (uint64_t)st.st_size;
	*mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
		 (uint64_t)st.st_mtim.tv_nsec;
	return TLSR_OK;
}

int tlsr_file_same(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
