# Helpers of the mirror disk host suites (md-*.bats).
load helpers

B=$REPO/userland/bin
EXAMPLE=$REPO/userland/conf/examples/lab-clp.conf

# Build the md unit helpers against libclp.a into tests/host/bin/.
md_build_units() {
	make -s -C "$REPO/userland" >&2
	mkdir -p "$REPO/tests/host/bin"
	local t
	for t in md_conf_dump md_state_test md_perf_test md_nl_test; do
		cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$REPO/userland/lib" \
			-I"$REPO/netlink/uapi" $(pkg-config --cflags libxml-2.0) \
			-o "$REPO/tests/host/bin/$t" "$REPO/tests/host/unit/$t.c" \
			"$REPO/userland/bin/libclp.a" $(pkg-config --libs libmnl libxml-2.0 libcrypto) \
			-pthread
	done
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
