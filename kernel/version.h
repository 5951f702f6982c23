/* version.h — what the banner says. BEAMOS_BUILD_DATE comes from the build. */
#ifndef BEAMOS_KERNEL_VERSION_H
#define BEAMOS_KERNEL_VERSION_H

#define BEAMOS_VERSION "0.1.0"
#ifndef BEAMOS_BUILD_DATE
#define BEAMOS_BUILD_DATE "unknown date"
#endif

#endif
