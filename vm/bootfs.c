/*
 * bootfs.c — a bounds-checked reader for ustar archives (POSIX.1-1988
 * "ustar\0" or GNU "ustar  " headers): 512-byte header blocks, octal sizes,
 * file data padded to 512 bytes, two zero blocks at the end. Any header
 * whose checksum is wrong or whose size runs past the archive stops the walk
 * with an error rather than reading out of bounds.
 */
#include <stdio.h>
#include <string.h>

#include "vm/bootfs.h"

#define BLOCK 512

static int parse_octal(const uint8_t *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(p[i] - '0');
    if (i < n && p[i] != 0 && p[i] != ' ')
        return -1;
    *out = v;
    return 0;
}

static int checksum_ok(const uint8_t *h)
{
    uint64_t want;
    if (parse_octal(h + 148, 8, &want) < 0)
        return 0;
    uint64_t sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

static int all_zero(const uint8_t *h)
{
    for (int i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

/* Walk the archive; fn == NULL only validates. Returns files seen or -1. */
static int walk(const uint8_t *tar, size_t size, int (*fn)(const BootfsEntry *, void *),
                void *arg, char *err, size_t errlen)
{
    int files = 0;
    size_t off = 0;
    char name[256 + 1];
    while (off + BLOCK <= size) {
        const uint8_t *h = tar + off;
        if (all_zero(h))
            return files;
        if (!checksum_ok(h)) {
            if (err) snprintf(err, errlen, "bootfs: bad header checksum at offset %zu", off);
            return -1;
        }
        uint64_t fsize;
        if (parse_octal(h + 124, 12, &fsize) < 0 || fsize > size - off - BLOCK) {
            if (err) snprintf(err, errlen, "bootfs: file size at offset %zu runs past the archive", off);
            return -1;
        }
        size_t prefix_len = 0;
        if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {     /* ustar prefix field */
            prefix_len = strnlen((const char *)h + 345, 155);
            memcpy(name, h + 345, prefix_len);
            name[prefix_len++] = '/';
        }
        size_t nlen = strnlen((const char *)h, 100);
        memcpy(name + prefix_len, h, nlen);
        name[prefix_len + nlen] = 0;
        char type = (char)h[156];
        if (type == '0' || type == 0) {
            files++;
            BootfsEntry e = {name, h + BLOCK, (size_t)fsize};
            if (fn && fn(&e, arg))
                return files;
        }
        off += BLOCK + ((size_t)fsize + BLOCK - 1) / BLOCK * BLOCK;
    }
    return files;
}

int bootfs_validate(const uint8_t *tar, size_t size, char *err, size_t errlen)
{
    return walk(tar, size, NULL, NULL, err, errlen);
}

int bootfs_foreach(const uint8_t *tar, size_t size, int (*fn)(const BootfsEntry *, void *), void *arg)
{
    return walk(tar, size, fn, arg, NULL, 0);
}

typedef struct { const char *want; BootfsEntry *out; int found; } FindArg;

static int match_name(const BootfsEntry *e, void *arg)
{
    FindArg *f = arg;
    size_t n = strlen(e->name), w = strlen(f->want);
    if (n == w ? strcmp(e->name, f->want) == 0
               : n > w && e->name[n - w - 1] == '/' && strcmp(e->name + n - w, f->want) == 0) {
        /* The name buffer belongs to the walk: callers get the data only. */
        f->out->name = f->want;
        f->out->data = e->data;
        f->out->size = e->size;
        f->found = 1;
        return 1;
    }
    return 0;
}

int bootfs_find(const uint8_t *tar, size_t size, const char *name, BootfsEntry *out)
{
    FindArg f = {name, out, 0};
    walk(tar, size, match_name, &f, NULL, 0);
    return f.found ? 0 : -1;
}
