/*
 * code.h — loaded modules: the module table (current and old code per
 * module), load/purge/delete, and code-address lookups for stack traces.
 *
 * A ModuleCode is one loaded version of a module: its threaded code, its
 * literal area, its funs and its line table. It never moves while loaded.
 * Module.curr is what remote calls reach (through the export table);
 * Module.old is the previous version, still run by processes that were
 * inside it (local calls and return addresses stay in the version that
 * made them) until it is purged.
 *
 * Literal area: every literal of a module is decoded once into lit_heap, a
 * Heap outside every process. The GC copies only terms inside a process's
 * own heap blocks, so literals are never moved or scanned. At purge they
 * are freed only after every process has copied out what it references
 * (the literal-area collector, literal_area.h; docs/code_purge.md).
 *
 * Concurrency: the module table is guarded by the code lock; loading,
 * purging and deleting take it. Address lookups (stack traces) take it
 * too and only see versions in the table. A purged version's code is
 * freed after the processes running it were killed (erts_code_purger)
 * and its funs were redirected (code_purge_prepare).
 */
#ifndef BEAMOS_VM_CODE_H
#define BEAMOS_VM_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/emu.h"
#include "vm/export.h"
#include "vm/fun.h"
#include "vm/heap.h"

struct ModuleCode;

/* A fun's entry: FunEntry first (fun.h's FunThing points at it). */
typedef struct LoadedFun {
    FunEntry fe;
    /* The lambda's code; from the moment its version is being purged,
     * purged_stub instead (code_purge_prepare). A plain aligned word: the
     * emulator on other CPUs reads it without a lock (x86-64 stores of
     * aligned words are atomic) and sees the old or the new address. */
    const BeamInstr *addr;
    struct ModuleCode *mc;       /* the version that defines it */
    term_t name;                 /* the lambda function's atom ('-f/1-fun-0-') */
    const BeamInstr *code_addr;  /* the lambda's code, kept while addr is redirected */
    /* [i_purged_fun, this]: a fun of purged code is then called as one
     * of code not loaded (code_fun_dangling): {badfun, Fun} if another
     * version is loaded. Also the stub of a dangling entry
     * ([i_undefined_lambda, this]). LoadedFuns outlive their code (see
     * code_purge_complete), since fun terms anywhere (messages, ETS) may
     * still name them. */
    BeamInstr purged_stub[2];
} LoadedFun;

/* A function's extent in the code, for address -> MFA lookups. */
typedef struct {
    const BeamInstr *start;      /* its func_info instruction */
    const BeamInstr *end;        /* one past its last instruction */
    ErtsMFA mfa;
} CodeFunction;

/* Address -> source line: the line entry in effect at `addr`. */
typedef struct {
    const BeamInstr *addr;
    uint32_t file;               /* index into fnames; 0 = module's source */
    uint32_t line;
} CodeLine;

typedef struct ModuleCode {
    term_t module;
    uint8_t md5[16];             /* module_info(md5); every fun's Uniq */
    BeamInstr *code;
    size_t code_words;
    Heap lit_heap;               /* literal area (see above) */
    term_t *literals;            /* [literal_count] */
    uint32_t literal_count;
    LoadedFun *funs;             /* [fun_count] */
    uint32_t fun_count;
    CodeFunction *functions;     /* sorted by start */
    uint32_t function_count;
    CodeLine *lines;             /* sorted by addr */
    uint32_t line_count;
    term_t *fnames;              /* [fname_count + 1] strings (lists); [0] = "<module>.erl" */
    uint32_t fname_count;
    const BeamInstr *on_load;    /* entry of the on_load function, or NULL */
    term_t attributes, compile_info; /* literals, or NIL */
    uint8_t *strings;            /* copy of StrT (bs_match_string, bs_create_bin) */
    Export **exports;            /* the exports this version defines */
    const BeamInstr **export_addrs;
    uint32_t export_count;
} ModuleCode;

typedef struct Module {
    term_t name;
    ModuleCode *curr;
    ModuleCode *old;
    /* A version with an -on_load function that has not run yet: loaded,
     * its exports not installed (code_on_load_*). on_load_claimed: a
     * process is running the function. */
    ModuleCode *pending;
    bool on_load_claimed;
    struct Module *next;
} Module;

/* The fun of module's loaded code (current, else old version) whose
 * module MD5 is uniq, with this index, arity and num_free; NULL if none
 * is loaded. */
const LoadedFun *code_fun_find(term_t module, uint32_t index, const uint8_t uniq[16], uint32_t arity,
                               uint32_t num_free);
/* A fun entry for code that is not loaded (fun_dangling.c): what
 * binary_to_term makes of a fun whose module is not loaded, or is loaded
 * in another version, as OTP 25 does. One entry per (module, index,
 * old_uniq, uniq, arity, num_free), kept for the node's life, as fun
 * terms anywhere may name it; mc NULL, name NIL (fun_info's name is []).
 * Calling it (i_undefined_lambda) enters the matching fun if its code has
 * been loaded since; else, if the module is not loaded, loads it as a
 * call to an undefined function does (OTP: error_handler:
 * undefined_lambda/3) and tries again; else raises {badfun, Fun}, or
 * undef with {Fun, Args, []} on top of the stack trace when the module
 * cannot be loaded. NULL when memory is short. */
const LoadedFun *code_fun_dangling(term_t module, uint32_t index, uint32_t old_uniq,
                                   const uint8_t uniq[16], uint32_t arity, uint32_t num_free);

/* Start the code layer: emulator dispatch table, export table, BIFs. */
void code_init(void);

/* Load a .beam image as the new current version of its module. The
 * previous current version becomes old; if an old version exists the
 * load fails ("not_purged"), as erlang:load_module/2. Returns 0, or -1
 * with a message in err. Sets *module_out to the module's atom. */
int code_load_module(const uint8_t *beam, size_t size, term_t *module_out, char *err,
                     size_t errlen);
/* Like code_load_module, but also says why in OTP's terms on failure:
 * *reason_out = badfile | not_purged | on_load ... A module with an
 * -on_load function is not made current: it waits as the module's
 * pending version (returns 1, reason on_load) until the function has run
 * (code_on_load_claim / code_on_load_finish, driven by code.erl as OTP's
 * code server drives erlang:call_on_load_function/1 and
 * erlang:finish_after_on_load/2). */
int code_load_module_ex(const uint8_t *beam, size_t size, term_t expect_module,
                        term_t *module_out, term_t *reason_out, char *err, size_t errlen);

/* Autoloading (a call reached a module that is not loaded): load the
 * image of module unless a version is current or pending by now, which
 * happens when processes on several schedulers call it at once; the
 * first to finish translating wins and the others keep its version.
 * Returns as code_load_module_ex. */
int code_autoload_image(const uint8_t *beam, size_t size, term_t module, char *err,
                        size_t errlen);

/* The entry of module's pending on_load function, claimed for the caller
 * to run; NULL if none is pending or another process has claimed it. */
const BeamInstr *code_on_load_claim(term_t module);
/* Ends the pending version: keep makes it current (the previous current
 * becomes old), else it is dropped. false if none is pending. */
bool code_on_load_finish(term_t module, bool keep);
/* Whether module has a pending on_load version. */
bool code_on_load_pending(term_t module);

/* Make current code old (exports become undefined). false if the module
 * has no current code, or already has old code. */
bool code_delete_module(term_t module);
/* Purging old code, in OTP's three steps (erts_internal:purge_module/2,
 * driven by erts_code_purger in Erlang, docs/code_purge.md):
 *  prepare   false if the module has no old code; else its funs are
 *            redirected to their purged stubs, so no process enters the
 *            old code through a fun from now on;
 *  abort     undo prepare (soft_purge found a process in old code);
 *  complete  the old version leaves the module table; its code and
 *            literals are freed once every process has copied out what
 *            it references of the literals (literal_area.h). The caller
 *            has made sure no process runs the old code (killed them).
 *            false if there is no old code. */
bool code_purge_prepare(term_t module);
void code_purge_abort(term_t module);
bool code_purge_complete(term_t module);
/* Is pc inside mc's code? */
static inline bool code_in_version(const ModuleCode *mc, const void *pc) {
    return mc && mc->code && (const BeamInstr *)pc >= mc->code && (const BeamInstr *)pc < mc->code + mc->code_words;
}

ModuleCode *code_module_current(term_t module);
ModuleCode *code_module_old(term_t module);
bool code_is_loaded(term_t module);
/* Calls fn for every module with current code. */
void code_foreach_module(void (*fn)(Module *m, void *arg), void *arg);

/* The start (func_info) of the function M:F/A in current code, or NULL. */
const BeamInstr *code_find_function(const ErtsMFA *mfa);

/* Which function and source line contain code address pc (current or old
 * code). false if pc is not inside any loaded module. *file is a string
 * term (list) or NIL when the module has no line information; *line 0. */
bool code_lookup_address(const BeamInstr *pc, const ErtsMFA **mfa, term_t *file,
                         uint32_t *line);

/* The autoload hook: called when a call reaches an undefined export of a
 * module that is not loaded. Implemented by the platform/boot layer (the
 * boot archive or -pa directories); returns true if it loaded `module`. */
bool code_autoload(term_t module);

/* ---- catch table: catch words on the stack hold an index into it ---- */
/* A catch index for a handler address (append-only, never freed). */
uint64_t code_catch_new(const BeamInstr *handler);
const BeamInstr *code_catch_addr(uint64_t index);

/* ---- register words in threaded code (see docs/emulator.md) ---- */
static inline BeamInstr code_x_word(uint32_t n) { return (BeamInstr)n << 3; }
static inline BeamInstr code_y_word(uint32_t n) { return ((BeamInstr)n << 3) | 4; }

#endif
