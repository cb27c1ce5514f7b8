/* Translations: the message catalog pakt's texts come from (cli/i18n.h). */
#include <locale.h>
#include <stdlib.h>
#include "cli/i18n.h"

void i18n_init(void)
{
#ifdef ENABLE_NLS
	const char *dir = getenv("PAKT_LOCALEDIR");

	setlocale(LC_MESSAGES, "");
	bindtextdomain(PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
#endif
}
