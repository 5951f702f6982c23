/*
 * bootfs.h — the boot archive: a ustar tar of .beam files (the runtime's
 * own modules, OTP's stdlib and the application) handed over by the boot
 * loader as a Multiboot2 module. Read in place; nothing is copied.
 */
#ifndef BEAMOS_VM_BOOTFS_H
#define BEAMOS_VM_BOOTFS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;          /* path inside the archive, NUL-terminated copy */
    const uint8_t *data;
    size_t size;
} BootfsEntry;

/* Check the archive's structure (every header's checksum and size fits).
 * Returns the number of regular files, or -1 with a message in err. */
int bootfs_validate(const uint8_t *tar, size_t size, char *err, size_t errlen);
/* Find a regular file whose path is `name` or ends in "/name". */
int bootfs_find(const uint8_t *tar, size_t size, const char *name, BootfsEntry *out);
/* Call fn for every regular file; stops early if fn returns nonzero. */
int bootfs_foreach(const uint8_t *tar, size_t size,
                   int (*fn)(const BootfsEntry *e, void *arg), void *arg);

#endif
