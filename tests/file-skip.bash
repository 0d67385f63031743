# Sourced by tests/host/helpers.bash and tests/lab/helpers.bash.

# file_skip REASON (in setup_file): every test of the file skips with REASON.
# Bats 1.8 (Debian 12) cannot skip from setup_file (a skip there fails the
# file), so the reason is exported and the default setup() below skips each
# test; a suite with a setup() of its own calls skip_if_file_skipped first.
# Returns 1, so that "file_skip ... || return 0" ends setup_file there.
file_skip() {
	export CLP_FILE_SKIP=$1
	return 1
}

skip_if_file_skipped() {
	[ -z "${CLP_FILE_SKIP:-}" ] || skip "$CLP_FILE_SKIP"
}

setup() {
	skip_if_file_skipped
}
