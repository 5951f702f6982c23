/* standin_emu.h — TEST-ONLY emulator stand-in (see standin_emu.c). */
#ifndef BEAMOS_TESTS_STANDIN_EMU_H
#define BEAMOS_TESTS_STANDIN_EMU_H
#include "vm/emu.h"
typedef EmuResult (*StandinFn)(Scheduler *s, Process *p);
void standin_emu_register(term_t function, StandinFn fn);
#endif
