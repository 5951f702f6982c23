; boot.asm — Multiboot2 header and the bootstrap processor's way into long mode.
;
; Entry (boot_entry32, from GRUB; Multiboot2 spec §3.3): 32-bit protected mode,
;   paging off, interrupts off, flat CS/DS, no usable stack,
;   EAX = 0x36d76289, EBX = physical address of the boot information.
; Exit (kmain): 64-bit long mode at the higher-half address, RSP on boot_stack,
;   RDI = magic, RSI = boot information physical address, interrupts off,
;   SSE enabled, NX enabled, CR0.WP set; boot page tables map the first
;   1 GiB three times: identity, at PHYS_MAP_BASE and at KERNEL_VMA.
; kmain replaces these page tables with the real ones (arch/x86_64/paging.c).

%define KERNEL_VMA 0xffffffff80000000

section .multiboot2
align 8
mb2_header:
    dd 0xe85250d6                       ; magic
    dd 0                                ; architecture: i386 protected mode
    dd mb2_header_end - mb2_header
    dd -(0xe85250d6 + (mb2_header_end - mb2_header))
    align 8
    dw 6, 0                             ; module alignment: page-aligned modules
    dd 8
    align 8
    dw 0, 0                             ; end tag
    dd 8
mb2_header_end:

section .boot.bss nobits
align 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096
boot_stack32:   resb 4096
boot_stack32_top:

section .boot.data
align 8
boot_gdt:
    dq 0
    dq 0x00209a0000000000               ; 0x08: 64-bit code
    dq 0x0000920000000000               ; 0x10: data
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt
no_long_mode_msg: db "BeamOS: this CPU has no 64-bit long mode; halting.", 13, 10, 0

section .boot.text
bits 32
global boot_entry32
boot_entry32:
    cli
    mov esp, boot_stack32_top
    mov edi, eax                        ; keep magic and boot info for kmain
    mov esi, ebx

    ; Long mode must exist: CPUID 0x80000001 EDX bit 29.
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; Zero the boot page tables (the loader may not have).
    push edi
    mov edi, boot_pml4
    mov ecx, 4 * 4096 / 4
    xor eax, eax
    rep stosd
    pop edi

    ; boot_pd: 512 × 2 MiB pages = the first 1 GiB, present + writable + large.
    mov ebx, boot_pd
    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [ebx + ecx * 8], eax
    mov dword [ebx + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 512
    jne .fill_pd

    mov eax, boot_pd
    or eax, 3
    mov [boot_pdpt_low], eax            ; 0 .. 1 GiB
    mov [boot_pdpt_high + 510 * 8], eax ; KERNEL_VMA = -2 GiB → PDPT slot 510
    mov eax, boot_pdpt_low
    or eax, 3
    mov [boot_pml4], eax                ; identity
    mov [boot_pml4 + 256 * 8], eax      ; PHYS_MAP_BASE
    mov eax, boot_pdpt_high
    or eax, 3
    mov [boot_pml4 + 511 * 8], eax      ; KERNEL_VMA

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5                      ; PAE
    mov cr4, eax
    mov ecx, 0xc0000080                 ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)        ; LME, NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)       ; PG, WP
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    jmp 0x08:.long_mode

.no_long_mode:
    mov esi, no_long_mode_msg
.putc:
    lodsb
    test al, al
    jz .halt
    mov dx, 0x3f8
    out dx, al
    jmp .putc
.halt:
    hlt
    jmp .halt

bits 64
.long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rax, boot_higher_half
    jmp rax

section .text
extern kmain
boot_higher_half:
    mov rsp, boot_stack_top
    xor ebp, ebp
    mov edi, edi                        ; zero-extend magic and boot info
    mov esi, esi
    ; SSE: clear CR0.EM, set CR0.MP; CR4.OSFXSR and OSXMMEXCPT.
    mov rax, cr0
    and rax, ~(1 << 2)
    or rax, 1 << 1
    mov cr0, rax
    mov rax, cr4
    or rax, (1 << 9) | (1 << 10)
    mov cr4, rax
    call kmain
.hang:
    cli
    hlt
    jmp .hang

section .bss
align 16
global boot_stack, boot_stack_top
boot_stack:     resb 32768
boot_stack_top:
