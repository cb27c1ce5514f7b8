/* Translations: _() translates a text where it is printed; N_() marks a
 * text kept in a table (cli/commands.c) for xgettext without translating
 * it there; P_(singular, plural, n) picks the form a count needs (Polish
 * has three). Catalogs come from po/ (README, "Language"). */
#ifndef PAKT_I18N_H
#define PAKT_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#define P_(s, p, n) ngettext(s, p, n)
#else
#define _(s) (s)
#define P_(s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) s

/* Choose the language from LANGUAGE / LC_ALL / LC_MESSAGES / LANG and
 * find the catalogs in $PAKT_LOCALEDIR if set (tests, uninstalled
 * builds), else in the configured localedir. Only LC_MESSAGES follows the
 * environment: numbers, times and character handling stay "C", and
 * translations come out in UTF-8 like everything else pakt prints. */
void i18n_init(void);

#endif
