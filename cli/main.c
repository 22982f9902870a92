/* cli/main.c: placeholder main until the CLI lands. */
#include <stdio.h>
int main(void)
{
	puts("coresieve");
	return 0;
}
