#!/bin/sh
# Write pakt.1 or paktd.8 from the programs' own help texts, so that the
# man pages cannot drift from what the programs accept.
# usage: mkman.sh pakt|paktd BUILT_PROGRAM VERSION > PAGE
set -eu
what=$1 prog=$2 version=$3
# the pages are English whatever the builder's language (po/ translates)
LC_ALL=C LANGUAGE= && export LC_ALL LANGUAGE

# help text -> roff: escape backslashes, keep lines starting with . or '
# from being read as requests, show it as it is (no filling).
roff() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

if [ "$what" = pakt ]; then
	cat <<EOT
.TH PAKT 1 "" "pakt $version" "pakt manual"
.SH NAME
pakt \\- post, follow, measure, promise and audit in a pakt initiative
.SH SYNOPSIS
.B pakt
.RB [ \\-\\-version ]
.RB [ \\-\\-help ]
.I COMMAND
.RI [ ARGS ]
.SH DESCRIPTION
.nf
EOT
	"$prog" --help | roff
	echo ".fi"
	echo ".SH COMMANDS"
	for c in $("$prog" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
		echo ".SS $c"
		echo ".nf"
		"$prog" help "$c" | roff
		echo ".fi"
	done
	cat <<EOT
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the operation or a check failed (the message says which)
.TP
.B 2
usage error: an unknown option or a bad argument
.TP
.B 3
paktd is not running (or this user may not use its control socket)
.TP
.B 4
no identity: run \\fBpakt init\\fR first
.SH ENVIRONMENT
.TP
.B PAKT_HOME
the data directory, when \\fB\\-\\-data\\-dir\\fR is not given.
Otherwise \\fI~/.local/share/pakt\\fR when it exists, else the system
node \\fI/var/lib/pakt\\fR (staff in the group \\fBpakt\\fR).
.TP
.B PAKT_PASSPHRASE_FILE
a file holding the passphrase of an encrypted identity key.
.SH SEE ALSO
.BR paktd (8),
.BR pakt-config (5)
EOT
else
	cat <<EOT
.TH PAKTD 8 "" "pakt $version" "pakt manual"
.SH NAME
paktd \\- one organisation's pakt node
.SH SYNOPSIS
.B paktd
.RI [ OPTIONS ]
.SH DESCRIPTION
.B paktd
keeps this organisation's signed feed and replicates the feeds of its
partners over an encrypted peer-to-peer mesh (Noise XX over TCP, port
7420 by default). The \\fBpakt\\fR(1) command drives it through a control
socket in the data directory.
.SH OPTIONS
.nf
EOT
	"$prog" --help | roff
	cat <<EOT
.fi
.SH FILES
.TP
.I DATADIR/identity.key
the organisation's Ed25519 key (mode 0600; may be encrypted)
.TP
.I DATADIR/config
settings, see \\fBpakt-config\\fR(5)
.TP
.I DATADIR/pakt.db
the SQLite store of every feed
.TP
.I DATADIR/paktd.sock
the control socket (0600, or 0660 in \\fIcontrol_group\\fR)
.TP
.I DATADIR/paktd.lock
held while paktd runs; holds its pid
.SH SERVICE
The package's \\fIpaktd.service\\fR runs paktd as the user \\fBpakt\\fR with
the data directory \\fI/var/lib/pakt\\fR and \\fB\\-\\-control\\-group pakt\\fR,
so that staff in the group \\fBpakt\\fR use \\fBpakt\\fR without sudo.
An encrypted key's passphrase comes from
\\fBLoadCredential=passphrase:\\fR\\fIFILE\\fR.
.SH FIREWALL
Partners connect to the listen address (default port 7420/tcp): open it
for them, e.g. \\fBnft add rule inet filter input tcp dport 7420 accept\\fR.
.SH EXIT STATUS
0 after a clean stop (SIGTERM or SIGINT); 1 when it cannot start (the
log line says why: no identity, another paktd, a port taken, a bad
config); 2 for a usage error.
.SH SEE ALSO
.BR pakt (1),
.BR pakt-config (5)
EOT
fi
