# Helpers for host suites: bats-support/bats-assert and the repo path.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
