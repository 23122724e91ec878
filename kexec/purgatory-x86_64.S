/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The purgatory of the kexec_load fallback (kexec-load-x86.c): the code the
 * old kernel jumps to after it copied the segments into place, and the last
 * step before the new kernel. It is data to the agent (.rodata): copied
 * into a segment of its own, with kernel_entry and boot_params patched in.
 *
 * Entered from relocate_kernel (arch/x86/kernel/relocate_kernel_64.S) in
 * 64-bit mode, interrupts off, on page tables that identity-map all RAM,
 * with a GDT and stack of the old kernel that are about to be overwritten.
 * It makes what the 64-bit boot protocol (Documentation/arch/x86/boot.rst)
 * asks for: a GDT with 4 GiB flat __BOOT_CS (0x10, execute/read) and
 * __BOOT_DS (0x18, read/write), CS = __BOOT_CS, DS/ES/SS = __BOOT_DS,
 * interrupts off, %rsi = boot_params; then jumps to the kernel's 64-bit
 * entry, startup_64 at load address + 0x200.
 *
 * Position independent (RIP-relative only): it runs wherever it is placed.
 * Unlike kexec-tools' purgatory it does not hash the segments first: the
 * kernel copied them a moment ago, and SHA-256 without SIMD on a cold
 * CPU costs seconds. */

#if defined(__x86_64__)

#define BOOT_CS 0x10
#define BOOT_DS 0x18

        .section .rodata.kexec_purgatory, "a"
        .code64
        .balign 16

        .globl  kexec_purgatory_x86_64_start
        .hidden kexec_purgatory_x86_64_start
        .globl  kexec_purgatory_x86_64_params
        .hidden kexec_purgatory_x86_64_params
        .globl  kexec_purgatory_x86_64_end
        .hidden kexec_purgatory_x86_64_end

kexec_purgatory_x86_64_start:
        cli
        cld

        /* The GDT's physical address is known only here. */
        leaq    gdt(%rip), %rax
        movq    %rax, gdt_desc_base(%rip)
        lgdt    gdt_desc(%rip)

        /* Our own stack: the old kernel's page may be gone any moment. */
        leaq    stack_top(%rip), %rsp

        movl    $BOOT_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs

        /* In 64-bit mode CS is loaded by a far return. */
        leaq    on_boot_cs(%rip), %rax
        pushq   $BOOT_CS
        pushq   %rax
        lretq

on_boot_cs:
        movq    param_boot_params(%rip), %rsi
        movq    param_kernel_entry(%rip), %rax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r11d, %r11d
        xorl    %r12d, %r12d
        xorl    %r13d, %r13d
        xorl    %r14d, %r14d
        xorl    %r15d, %r15d
        jmpq    *%rax

        /* Patched by kexec-load-x86.c: two little-endian quads. */
        .balign 8
kexec_purgatory_x86_64_params:
param_kernel_entry:
        .quad   0
param_boot_params:
        .quad   0

        /* Descriptors with the accessed bit set, so the CPU never writes
         * to them: 0x10 code, 64-bit (L), 4 GiB (G); 0x18 data, 4 GiB. */
        .balign 16
gdt:
        .quad   0                               /* 0x00: null */
        .quad   0                               /* 0x08: unused */
        .quad   0x00af9b000000ffff              /* 0x10: __BOOT_CS */
        .quad   0x00cf93000000ffff              /* 0x18: __BOOT_DS */
gdt_end:

        /* lgdt operand: 16-bit limit, then the 64-bit base (aligned). */
        .balign 8
        .skip   6
gdt_desc:
        .word   gdt_end - gdt - 1
gdt_desc_base:
        .quad   0

        .balign 16
        .skip   512
stack_top:
kexec_purgatory_x86_64_end:

#endif

        .section .note.GNU-stack, "", %progbits
