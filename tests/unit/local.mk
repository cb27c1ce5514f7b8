# Unit tests: one cmocka program per module, one group per program (one TAP plan).
include %D%/proto.mk
include %D%/keys.mk
include %D%/daemon.mk
include %D%/noise.mk
include %D%/wire.mk
include %D%/bodies.mk
include %D%/bundle.mk
include %D%/cli.mk
include %D%/replica.mk
include %D%/sigproof.mk
