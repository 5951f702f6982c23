; vectors.asm — entry stubs for all 256 interrupt vectors.
;
; Entry: the CPU has pushed SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14,
;   17, 21, 29 and 30, an error code; interrupts are off (all gates are
;   interrupt gates). Everything runs in ring 0 and GS always holds this
;   CPU's per-CPU base, so no SWAPGS is ever needed.
; The stub pushes a zero error code where the CPU did not, then the vector
; number, then all general registers, and calls trap_dispatch(TrapFrame *).
; Exit: registers restored, vector and error code dropped, IRETQ.
; SSE/x87 state is not saved: interrupt handlers are compiled with
; -mgeneral-regs-only (see mk/toolchain.mk) and never touch it.

section .text
extern trap_dispatch

%macro VECTOR 1
vector_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign i 0
%rep 256
    VECTOR i
%assign i i + 1
%endrep

trap_common:
    cld
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    ; The frame is 22 words; align RSP to 16 for the C call.
    mov rbx, rsp
    and rsp, ~15
    call trap_dispatch
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16
    iretq

section .rodata
global trap_vectors
align 8
trap_vectors:
%assign i 0
%rep 256
    dq vector_ %+ i
%assign i i + 1
%endrep
