/* test_bootfs.c — the boot archive reader against a tar made by GNU tar
 * (--format=ustar) at build time, and against corruptions of it. */
#include <stdlib.h>
#include "tests/unit/check.h"
#include "vm/bootfs.h"

static uint8_t *tar;
static size_t tar_size;

static void load(void)
{
    FILE *f = fopen(BOOTFS_SAMPLE_TAR, "rb");
    if (!f) { printf("cannot open %s\n", BOOTFS_SAMPLE_TAR); exit(1); }
    fseek(f, 0, SEEK_END);
    tar_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    tar = malloc(tar_size);
    if (fread(tar, 1, tar_size, f) != tar_size) exit(1);
    fclose(f);
}

static int count_cb(const BootfsEntry *e, void *arg) { (void)e; (*(int *)arg)++; return 0; }

TEST(finds_files)
{
    BootfsEntry e;
    CHECK_EQ_INT(bootfs_validate(tar, tar_size, NULL, 0), 2);
    CHECK_EQ_INT(bootfs_find(tar, tar_size, "hello.beam", &e), 0);
    CHECK_EQ_INT(e.size, 6);
    CHECK(memcmp(e.data, "hello\n", 6) == 0);
    CHECK_EQ_INT(bootfs_find(tar, tar_size, "sub/deep.beam", &e), 0);
    CHECK_EQ_INT(bootfs_find(tar, tar_size, "deep.beam", &e), 0);
    CHECK_EQ_INT(e.size, 1000);
    CHECK_EQ_INT(bootfs_find(tar, tar_size, "missing.beam", &e), -1);
    CHECK_EQ_INT(bootfs_find(tar, tar_size, "eep.beam", &e), -1);
    int n = 0;
    bootfs_foreach(tar, tar_size, count_cb, &n);
    CHECK_EQ_INT(n, 2);
}

TEST(rejects_corruption)
{
    char err[128];
    uint8_t *copy = malloc(tar_size);
    memcpy(copy, tar, tar_size);
    copy[10] ^= 1;                                   /* name byte: checksum now wrong */
    CHECK_EQ_INT(bootfs_validate(copy, tar_size, err, sizeof err), -1);
    CHECK(strstr(err, "checksum") != NULL);
    /* Every truncation either validates fewer files or fails; never reads past. */
    for (size_t cut = 0; cut < tar_size; cut += 7) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, tar, cut);
        int r = bootfs_validate(t, cut, err, sizeof err);
        CHECK(r >= -1 && r <= 2);
        free(t);
    }
    free(copy);
}

int main(void)
{
    load();
    RUN(finds_files);
    RUN(rejects_corruption);
    free(tar);
    return CHECK_DONE();
}
