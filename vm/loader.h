/*
 * loader.h — stage 2 of loading: a parsed BeamFile becomes a ModuleCode
 * (threaded code, literal area, funs, line table). See docs/loader.md.
 * Called by code.c with the code lock held; installs nothing itself.
 */
#ifndef BEAMOS_VM_LOADER_H
#define BEAMOS_VM_LOADER_H

#include "vm/code.h"

/* beam_file.h's BeamInstr (a generic instruction) clashes with
 * process.h's (a threaded-code word); loader.c includes beam_file.h with
 * that name changed to BeamGenInstr, so this header only names the type. */
struct BeamFile;

/* Translate bf. Returns a new ModuleCode, or NULL with a message in err
 * naming the instruction, e.g. "translate: bs_save2 (offset 120): binary matching of compilers
 * before OTP 22, not supported: recompile the module". */
ModuleCode *loader_translate(const struct BeamFile *bf, char *err, size_t errlen);
void loader_free(ModuleCode *mc);
/* Frees everything of mc but mc itself and mc->funs (a purged version
 * whose funs may still be named by fun terms; docs/code_purge.md). */
void loader_free_keep_funs(ModuleCode *mc);

#endif
