# drivers/ — devices. Interrupt handlers live here: built -mgeneral-regs-only.
DRIVERS_C_SRCS := drivers/serial.c drivers/rtc.c

$(DRIVERS_C_SRCS:%.c=$(BUILD)/k/%.o): KERNEL_EXTRA_CFLAGS := $(KERNEL_ISR_CFLAGS)
KERNEL_OBJS += $(DRIVERS_C_SRCS:%.c=$(BUILD)/k/%.o)
