/* host.h — what the hosted main hands the hosted platform. */
#ifndef BEAMOS_VM_HOST_HOST_H
#define BEAMOS_VM_HOST_HOST_H

void host_set_args(int argc, char **argv);

#endif
