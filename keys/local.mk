libpakt_a_SOURCES += \
	%D%/keys.c %D%/keys.h \
	%D%/keyfile.c %D%/keyfile.h %D%/keyfile_priv.h %D%/keyfile_map.c \
	%D%/passphrase.c %D%/passphrase.h \
	%D%/datadir.c %D%/datadir.h \
	%D%/ownerfile.c %D%/ownerfile.h \
	%D%/config.c %D%/config.h
