/* Translations: _() translates a text where it is printed; N_() marks a
 * text kept in a table (cli/commands.c) for xgettext without translating
 * it there. Catalogs come from po/ (README, "Language"). */
#ifndef PAKT_I18N_H
#define PAKT_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) s

/* Choose the language from LANGUAGE / LC_ALL / LC_MESSAGES / LANG and
 * find the catalogs in $PAKT_LOCALEDIR if set (tests, uninstalled
 * builds), else in the configured localedir. Only LC_MESSAGES follows the
 * environment: numbers, times and character handling stay "C", and
 * translations come out in UTF-8 like everything else pakt prints. */
void i18n_init(void);

#endif
