/* bench/throttle.c: a slow dump target: read stdin or one TCP connection at no more than RATE MB/s (to a file or nowhere), as a link or disk would take it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * throttle RATE_MB_PER_S [OUT]: a token bucket of 64 KiB (about what a TCP
 * window or a pipe buffer holds): after each read the reader sleeps until
 * the bytes so far could have passed at RATE. At the end it prints
 * "BYTES SECONDS" to stderr; with OUT the bytes are written there (fsync'd),
 * else dropped. With THROTTLE_PORT=N it reads one connection to
 * 127.0.0.1:N instead of stdin (the socket buffers in between, as ssh's
 * would), printing "listening" to stderr once it accepts connections.
 */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char buf[64 << 10];
	double rate, t0;
	unsigned long long total = 0;
	int out = -1;

	if (argc < 2 || (rate = strtod(argv[1], NULL) * 1e6) <= 0) {
		fprintf(stderr, "usage: throttle RATE_MB_PER_S [OUT] <stream\n");
		return 2;
	}
	if (argc > 2 && (out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(argv[2]);
		return 1;
	}
	int in = 0;
	const char *port = getenv("THROTTLE_PORT");

	if (port) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
		int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1)) {
			perror("listen");
			return 1;
		}
		fprintf(stderr, "listening\n");
		in = accept(ls, NULL, NULL);
		if (in < 0) {
			perror("accept");
			return 1;
		}
		close(ls);
	}
	t0 = now();
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		double due;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("read");
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t done = 0; out >= 0 && done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				perror("write");
				return 1;
			}
			done += w;
		}
		total += (unsigned long long)n;
		due = t0 + (double)total / rate;
		while (now() < due) {
			double d = due - now();
			struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	if (out >= 0 && (fsync(out) != 0 || close(out) != 0)) {
		perror("fsync");
		return 1;
	}
	fprintf(stderr, "%llu %.3f\n", total, now() - t0);
	return 0;
}
