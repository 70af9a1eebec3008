/* log.h - messages to stderr, filtered by verbosity ("migbench: warning: ..."). */
#ifndef MB_LOG_H
#define MB_LOG_H

#include "core/err.h"

enum mb_loglevel { MB_LOG_ERROR, MB_LOG_WARN, MB_LOG_INFO, MB_LOG_DEBUG };

/* Messages at or below this level are printed (default MB_LOG_INFO). */
extern int mb_verbosity;

void mb_log(int level, const char *fmt, ...) MB_PRINTF(2, 3);

#define mb_error(...) mb_log(MB_LOG_ERROR, __VA_ARGS__)
#define mb_warn(...) mb_log(MB_LOG_WARN, __VA_ARGS__)
#define mb_info(...) mb_log(MB_LOG_INFO, __VA_ARGS__)
#define mb_debug(...) mb_log(MB_LOG_DEBUG, __VA_ARGS__)

#endif
