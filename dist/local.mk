# What 'make install' puts beside the binaries: the systemd unit, man
# pages built from the programs' own help, bash completion, an example
# config.
systemdsystemunit_DATA = %D%/paktd.service
man_MANS = %D%/pakt.1 %D%/paktd.8 %D%/pakt-config.5
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = %D%/pakt
examplesdir = $(docdir)/examples
dist_examples_DATA = %D%/config.example
EXTRA_DIST += debian %D%/paktd.service.in %D%/mkman.sh %D%/pakt-config.5 %D%/pakt.bash-completion
CLEANFILES += %D%/paktd.service %D%/pakt.1 %D%/paktd.8 %D%/pakt

%D%/paktd.service: %D%/paktd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) %D% && sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@SERVICE_TYPE[@]|$(SERVICE_TYPE)|g' \
		$(srcdir)/%D%/paktd.service.in >$@
%D%/pakt.1: pakt$(EXEEXT) %D%/mkman.sh
	$(AM_V_GEN)$(MKDIR_P) %D% && sh $(srcdir)/%D%/mkman.sh pakt ./pakt$(EXEEXT) $(VERSION) >$@.tmp && mv $@.tmp $@
%D%/paktd.8: paktd$(EXEEXT) %D%/mkman.sh
	$(AM_V_GEN)$(MKDIR_P) %D% && sh $(srcdir)/%D%/mkman.sh paktd ./paktd$(EXEEXT) $(VERSION) >$@.tmp && mv $@.tmp $@
%D%/pakt: %D%/pakt.bash-completion
	$(AM_V_GEN)$(MKDIR_P) %D% && cp $(srcdir)/%D%/pakt.bash-completion $@
