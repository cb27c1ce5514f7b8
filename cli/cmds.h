/* The pakt subcommands; each takes (argc, argv) with argv[0] its name and
 * returns a CLI exit code. */
#ifndef PAKT_CMDS_H
#define PAKT_CMDS_H

int cmd_init(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_initiative(int argc, char **argv);
int cmd_post(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_tail(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_invite(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_members(int argc, char **argv);
int cmd_member(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_subscribe(int argc, char **argv);
int cmd_unsubscribe(int argc, char **argv);

#endif
