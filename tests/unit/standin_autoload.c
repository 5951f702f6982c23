/* standin_autoload.c — test-only stand-in for the lead's code_autoload
 * (platform/boot layer): nothing is ever autoloaded in unit tests. */
#include "vm/code.h"
bool code_autoload(term_t module) { (void)module; return false; }
