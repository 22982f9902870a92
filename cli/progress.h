/* cli/progress.h: makedumpfile-style progress meter on stderr, tty-aware and testable. */
#ifndef CS_PROGRESS_H
#define CS_PROGRESS_H

#include "core/types.h"
#include <stdio.h>
#include <time.h>

/*
 * Prints "<step, 50 wide>: [ 42.0 %] /  <eta 16 wide>" at most once a second
 * (and the final 100 %). On a terminal each update starts with '\r'; when
 * stderr is not a terminal (serial console, journald: delphix-platform PR #404)
 * each update is its own line. CS_PROGRESS_LINES=1 forces line mode and
 * CS_PROGRESS_EVERY=1 prints every update (for tests).
 */
struct cs_progress {
	FILE *out;
	bool enabled;
	bool line_mode;
	bool every;
	const char *step;
	time_t start;
	time_t last;
	unsigned spin;
	unsigned last_permille;
	bool printed;
};

void cs_progress_init(struct cs_progress *p, FILE *out, bool enabled);
void cs_progress_step(struct cs_progress *p, const char *step);
void cs_progress_update(struct cs_progress *p, uint64_t done, uint64_t total);
/* Ends the current step (prints 100 % if it was shown). */
void cs_progress_done(struct cs_progress *p);

#endif
