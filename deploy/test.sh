#!/usr/bin/env bash
# The pytest passes of `make test` (after lint), on the stack `make infra` started. Arguments are
# pytest options given to every pass (`make test PYTEST_ARGS="-m 'not slow'"`).
#
# 1. The API fuzzing and everything else side by side. The fuzzing has a scratch database,
#    servers and Kafka topics of its own, and spends most of its time in one schemathesis
#    process waiting for one server: on a 2-core machine the rest of the suite fits beside it,
#    which keeps CI well under its 20 minutes. Its output is printed when both are done.
# 2. The tests that restart the stack's PostgreSQL or Kafka, alone (the fault tests, the broker
#    restart): the fuzzing's servers would answer a restart with 5xx, its seeding time out.
# 3. The unit tests again with the tests' clock a year ahead: no rule may depend on today's date.
#    Not the integration tests again (real PostgreSQL, Kafka and processes), which pass 1 and 2 ran.
set -uo pipefail
cd "$(dirname "$0")/.."

pytest() { uv run --no-sync pytest "$@"; }
# pytest's "no tests collected" (5) is not a failure here: a marker expression may leave a pass empty
passed() { [[ $1 -eq 0 || $1 -eq 5 ]]; }

fuzz_log="$(mktemp "${TMPDIR:-/tmp}/ar-fuzz.XXXXXX")"
trap 'rm -f "$fuzz_log"' EXIT
# schemathesis: 10 generated examples per operation besides its example and coverage phases;
# `AR_FUZZ_MAX_EXAMPLES=40 make test` for a deeper run
AR_FUZZ_MAX_EXAMPLES="${AR_FUZZ_MAX_EXAMPLES:-10}" pytest --durations=5 tests/test_api_fuzzing.py "$@" \
	>"$fuzz_log" 2>&1 &
fuzz_pid=$!

restarts=(libs/shared/tests/test_broker_restart.py tests/test_faults.py)
echo "==> pass 1: every test but the API fuzzing (running beside it) and those restarting the stack"
pytest --durations=25 --ignore=tests/test_api_fuzzing.py "${restarts[@]/#/--ignore=}" "$@"
main=$?
wait "$fuzz_pid"
fuzz=$?
echo "==> pass 1: the API fuzzing (ran beside the tests above)"
cat "$fuzz_log"

echo "==> pass 2: the tests restarting PostgreSQL and Kafka; -rP prints each fault's oracle report"
pytest --durations=10 -rP "${restarts[@]}" "$@"
faults=$?

echo "==> pass 3: the unit tests again with the tests' clock a year ahead"
AR_TEST_CLOCK_SHIFT_DAYS=365 pytest -q -m "not slow and not integration" "$@" \
	libs/shared/tests services/ledger/tests services/credit/tests services/collections/tests \
	services/notifications/tests
ahead=$?

status=0
for pass in "main:$main" "fuzzing:$fuzz" "faults:$faults" "year-ahead:$ahead"; do
	if ! passed "${pass#*:}"; then
		echo "==> ${pass%%:*} failed (pytest exit ${pass#*:})"
		status=1
	fi
done
exit $status
