bin_PROGRAMS += pakt
pakt_SOURCES = \
	%D%/main.c %D%/cli.c %D%/cli.h \
	%D%/commands.c %D%/cmds.h %D%/i18n.c %D%/i18n.h \
	%D%/client.c %D%/client.h %D%/names.c %D%/names.h \
	%D%/output.c %D%/output.h %D%/text.c %D%/text.h \
	%D%/cmd_local.c %D%/cmd_feed.c %D%/cmd_node.c %D%/cmd_doctor.c %D%/cmd_backup.c %D%/cmd_mesh.c \
	%D%/work.c %D%/work.h %D%/cmd_agenda.c %D%/cmd_commit.c %D%/cmd_share.c \
	%D%/metrics.c %D%/metrics_out.c %D%/metrics_svg.c %D%/metrics.h
# libpakt only (proto/, keys/, core/): no daemon code, no libuv or SQLite.
pakt_LDADD = $(PAKT_LIBS) -lm
pakt_SOURCES += %D%/cmd_bundle.c
pakt_SOURCES += %D%/cmd_keys.c
# the partnership report: gathering, HTML writer, sections
pakt_SOURCES += %D%/cmd_report.c %D%/report.c %D%/report.h %D%/report_html.c %D%/report_sections.c %D%/report_ind.c
