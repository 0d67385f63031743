# Helpers of the mirror disk host suites (md-*.bats).
load helpers

B=$REPO/userland/bin
EXAMPLE=$REPO/userland/conf/examples/lab-clp.conf

# The commands, and the md unit helpers in tests/host/bin/ (the host unit
# tests' one sanitizer build, with its own ASan/UBSan libclp).
md_build_units() {
	make -s -C "$REPO/userland" >&2
	make -s -C "$REPO/tests/host/unit" >&2
}

# A copy of the lab example in $BATS_TEST_TMPDIR with a sed script applied;
# sets CLP_CONF. The partitions become files there (cp.img / dp.img).
md_conf() {
	CONF=$BATS_TEST_TMPDIR/clp.conf
	sed -e "s|/dev/vdb1|$BATS_TEST_TMPDIR/cp.img|; s|/dev/vdb2|$BATS_TEST_TMPDIR/dp.img|" \
		-e "${1:-}" "$EXAMPLE" > "$CONF"
	export CLP_CONF=$CONF CLP_SERVER=${CLP_SERVER:-node1}
}

# Line number of the first line of $CONF matching $1.
conf_line() {
	grep -n -m1 -- "$1" "$CONF" | cut -d: -f1
}
