/* boot.h — starting the VM: from the command line to the init process. */
#ifndef BEAMOS_VM_BOOT_H
#define BEAMOS_VM_BOOT_H

/* Add a directory to the code path searched after the boot archive
 * (host: -pa directories and OTP's ebin directories). */
void vm_add_code_path(const char *dir, int at_front);

/* Start the VM with the platform's command line (plat_args): +S N
 * schedulers, +P N process limit, -pa/-pz code path; load init and spawn
 * init:boot(Args); run scheduler 0 on the calling CPU. Never returns: the
 * node stops through halt/0,1 (plat_halt). */
void vm_main(void) __attribute__((noreturn));

#endif
