; ap_trampoline.asm — how an application processor gets from the startup IPI
; to the kernel. smp.c copies this blob to AP_TRAMPOLINE_PHYS (0x8000) and
; fills in the parameter block at its end before each INIT-SIPI-SIPI.
;
; Entry: 16-bit real mode at CS:IP = 0x0800:0000 (startup vector 0x08),
;   interrupts off, everything else undefined.
; Exit: 64-bit long mode, paging on with the kernel's page tables (CR3 from the
;   parameter block, which must lie below 4 GiB), NX and WP on, SSE enabled,
;   RSP = the AP's kernel stack, RDI = its CPU index; jumps to the C entry
;   (smp.c: ap_main), which never returns.
; The blob is position-dependent on 0x8000 only through TRAMP(), and the
; kernel keeps the page identity-mapped (read+execute) for this purpose.

%define BASE 0x8000
%define TRAMP(x) (BASE + (x) - ap_trampoline_start)

section .rodata
bits 16
global ap_trampoline_start, ap_trampoline_end, ap_trampoline_params
ap_trampoline_start:
    cli
    cld
    mov ax, cs
    mov ds, ax
    lgdt [gdt_ptr - ap_trampoline_start]
    mov eax, cr0
    or eax, 1                           ; protected mode
    mov cr0, eax
    jmp dword 0x08:TRAMP(pm32)

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov eax, [TRAMP(param_cr3)]
    mov cr3, eax
    mov ecx, 0xc0000080                 ; EFER: LME, NXE
    rdmsr
    or eax, (1 << 8) | (1 << 11)
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                  ; no x87 emulation
    or eax, (1 << 31) | (1 << 16) | (1 << 1)   ; PG, WP, MP
    mov cr0, eax
    jmp 0x18:TRAMP(lm64)

bits 64
lm64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [TRAMP(param_stack)]
    mov edi, [TRAMP(param_cpu)]
    mov rax, [TRAMP(param_entry)]
    xor ebp, ebp
    push 0                              ; fake return address ends backtraces
    jmp rax

align 16
gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; 0x08: 32-bit code
    dq 0x00cf92000000ffff               ; 0x10: data
    dq 0x00209a0000000000               ; 0x18: 64-bit code
gdt_ptr:
    dw gdt_ptr - gdt - 1
    dd TRAMP(gdt)

align 8
ap_trampoline_params:
param_cr3:   dq 0
param_stack: dq 0
param_entry: dq 0
param_cpu:   dq 0
ap_trampoline_end:
