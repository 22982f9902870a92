/* cli/progress.c: the progress meter (format of makedumpfile's print_progress). */
#include "cli/progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cs_progress_init(struct cs_progress *p, FILE *out, bool enabled)
{
	const char *lines = getenv("CS_PROGRESS_LINES");
	const char *every = getenv("CS_PROGRESS_EVERY");

	memset(p, 0, sizeof(*p));
	p->out = out;
	p->enabled = enabled;
	p->line_mode = !isatty(fileno(out)) || (lines && *lines == '1');
	p->every = every && *every == '1';
}

void cs_progress_step(struct cs_progress *p, const char *step)
{
	p->step = step;
	p->start = time(NULL);
	p->last = 0;
	p->last_permille = ~0U;
	p->printed = false;
}

static void format_eta(char *buf, size_t len, time_t elapsed, uint64_t done, uint64_t total)
{
	uint64_t eta;

	buf[0] = '\0';
	if (!done || !elapsed || done >= total)
		return;
	eta = (uint64_t)elapsed * (total - done) / done;
	if (eta >= 100ULL * 86400)
		snprintf(buf, len, "eta: >100day");
	else if (eta >= 86400)
		snprintf(buf, len, "eta: %ud%uh", (unsigned)(eta / 86400), (unsigned)(eta % 86400 / 3600));
	else if (eta >= 3600)
		snprintf(buf, len, "eta: %uh%um", (unsigned)(eta / 3600), (unsigned)(eta % 3600 / 60));
	else if (eta >= 60)
		snprintf(buf, len, "eta: %um%us", (unsigned)(eta / 60), (unsigned)(eta % 60));
	else
		snprintf(buf, len, "eta: %us", (unsigned)eta);
}

static void print_line(struct cs_progress *p, unsigned permille, time_t now, uint64_t done, uint64_t total)
{
	static const char spinner[] = "/|\\-";
	char eta[32];

	format_eta(eta, sizeof(eta), now - p->start, done, total);
	fprintf(p->out, "%s%-50s: [%3u.%u %%] %c  %16s%s", p->line_mode ? "" : "\r", p->step,
		permille / 10, permille % 10, spinner[p->spin++ & 3], eta, p->line_mode ? "\n" : "");
	fflush(p->out);
	p->printed = true;
	p->last = now;
	p->last_permille = permille;
}

void cs_progress_update(struct cs_progress *p, uint64_t done, uint64_t total)
{
	time_t now;
	unsigned permille;

	if (!p->enabled || !p->step)
		return;
	permille = total ? (unsigned)(done * 1000 / total) : 1000;
	if (permille > 1000)
		permille = 1000;
	now = time(NULL);
	if (permille == p->last_permille && !p->every)
		return;
	if (!p->every && p->printed && now == p->last && permille < 1000)
		return;
	print_line(p, permille, now, done, total);
}

void cs_progress_done(struct cs_progress *p)
{
	if (!p->enabled || !p->step)
		return;
	if (p->last_permille != 1000)
		print_line(p, 1000, time(NULL), 1, 1);
	if (!p->line_mode)
		fputc('\n', p->out);
	fflush(p->out);
	p->step = NULL;
}
