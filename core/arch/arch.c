/* core/arch/arch.c: the table of supported architectures and the names of every known machine. */
#include "core/arch/arch.h"

#include <string.h>

/* One row per supported arch; the first is assumed when a dump does not say. */
static const struct cs_arch_info *const arch_table[] = {&cs_arch_x86_64, &cs_arch_arm64};

const struct cs_arch_info *cs_arch_find(uint16_t e_machine)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(arch_table); i++)
		if (arch_table[i]->e_machine == e_machine)
			return arch_table[i];
	return NULL;
}

const struct cs_arch_info *cs_arch_default(void)
{
	return arch_table[0];
}

/* Machines by ELF e_machine and utsname.machine, supported or not: for detection and messages. */
static const struct {
	const char *name;
	uint16_t em;
} machines[] = {
	{"x86_64", 62},  {"aarch64", 183}, {"arm64", 183},  {"ppc64", 21},
	{"ppc64le", 21}, {"s390x", 22},    {"i386", 3},     {"i686", 3},
	{"riscv64", 243}, {"loongarch64", 258}, {"arm", 40}, {"mips", 8},
	{"ppc", 20},
};

const struct cs_arch_info *cs_arch_find_name(const char *m, size_t len)
{
	uint16_t em = cs_arch_machine_of(m, len);

	return em ? cs_arch_find(em) : NULL;
}

uint16_t cs_arch_machine_of(const char *m, size_t len)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(machines); i++)
		if (!strncmp(m, machines[i].name, len))
			return machines[i].em;
	return 0;
}

const char *cs_arch_machine_name(uint16_t e_machine)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(machines); i++)
		if (machines[i].em == e_machine)
			return machines[i].name;
	return "unknown";
}
