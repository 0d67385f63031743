// SPDX-License-Identifier: GPL-2.0
/*
 * mgr/status.html as the bytes status_page .. status_page_end, read-only
 * data of clpmgrd (the assembler's .incbin, the path relative to
 * userland/, where the Makefile runs; it rebuilds this on a change of the
 * page).
 */
#include "status_page.h"

__asm__(".section .rodata\n"
	".global status_page\n"
	".global status_page_end\n"
	"status_page:\n"
	".incbin \"mgr/status.html\"\n"
	"status_page_end:\n"
	".previous\n");
