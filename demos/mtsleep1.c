/* mtsleep1: no threads at all -- loop0 (4 s) then loop1 (2 s) run one after the other in main. */
#include "demo.h"

static void loop0(void)
{
	char b[32];

	printf("start loop 0 at: %s\n", now(b));
	ssleep(4);
	printf("loop 0 done at: %s\n", now(b));
}

static void loop1(void)
{
	char b[32];

	printf("start loop 1 at: %s\n", now(b));
	ssleep(2);
	printf("loop 1 done at: %s\n", now(b));
}

int main(void)
{
	char b[32];

	demo_init();
	print_tid("main");
	printf("starting at: %s\n", now(b));
	loop0();
	loop1();
	printf("all DONE at: %s\n", now(b));
	return 0;
}
