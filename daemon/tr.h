/* paktd speaks English; pakt translates what it receives. Messages for
 * people that paktd sends as they are (no printf) are marked N_() so that
 * xgettext puts them in po/ and pakt finds them in its catalog. */
#ifndef PAKT_TR_H
#define PAKT_TR_H

#define N_(s) s

#endif
