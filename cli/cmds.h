/* The pakt subcommands; each takes (argc, argv) with argv[0] its name and
 * returns a CLI exit code. */
#ifndef PAKT_CMDS_H
#define PAKT_CMDS_H

#include <stdbool.h>

int cmd_init(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_initiative(int argc, char **argv);
int cmd_post(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_tail(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
bool cmd_verify_is_bundle(int argc, char **argv);
int cmd_verify_bundle(int argc, char **argv);
int cmd_invite(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_members(int argc, char **argv);
int cmd_member(int argc, char **argv);
/* keys (cli/cmd_keys.c): pakt key rotate; pakt member revoke-key (argv[0]
 * is "revoke-key") */
int cmd_key(int argc, char **argv);
int cmd_member_revoke_key(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_subscribe(int argc, char **argv);
int cmd_unsubscribe(int argc, char **argv);
/* collective impact (cli/cmd_agenda.c, cmd_commit.c, cmd_share.c) */
int cmd_agenda(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_accept(int argc, char **argv);
int cmd_decline(int argc, char **argv);
int cmd_progress(int argc, char **argv);
int cmd_commitments(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_message(int argc, char **argv);
/* the partnership report (cli/cmd_report.c) */
int cmd_report(int argc, char **argv);
/* 'pakt post' with --to (sealed): the whole post command line, argv[0]
 * "post"; without --to it posts a plain message like cmd_post. */
int cmd_post_sealed(int argc, char **argv);

#endif
