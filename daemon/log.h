/* Daemon logging: one line per event on stderr, prefixed "<N>" with the
 * syslog priority so that journald assigns the level (SyslogLevelPrefix). */
#ifndef PAKT_LOG_H
#define PAKT_LOG_H

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Lines above this priority are dropped. */
void log_set_level(enum log_level max);
/* Parse "error|warn|info|debug"; -1 if unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level lvl, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_err(...) log_msg(LOG_LVL_ERR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

#endif
