/* Daemon logging to stderr in a form journald reads. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "daemon/log.h"

static enum log_level max_level = LOG_LVL_INFO;

void log_set_level(enum log_level max)
{
	max_level = max;
}

int log_level_parse(const char *s)
{
	static const struct { const char *name; enum log_level lvl; } names[] = {
		{"error", LOG_LVL_ERR}, {"warn", LOG_LVL_WARN},
		{"info", LOG_LVL_INFO}, {"debug", LOG_LVL_DEBUG},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return (int)names[i].lvl;
	return -1;
}

void log_msg(enum log_level lvl, const char *file, int line, const char *fmt, ...)
{
	static const char *const tag[8] = {
		[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warn",
		[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
	};
	char msg[1024];
	va_list ap;

	if (lvl > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* One event, one line: never let a newline from data split it. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
#ifdef PAKT_DEBUG
	fprintf(stderr, "<%d>paktd: %s: %s (%s:%d)\n", lvl, tag[lvl], msg, file, line);
#else
	(void)file;
	(void)line;
	fprintf(stderr, "<%d>paktd: %s: %s\n", lvl, tag[lvl], msg);
#endif
}
