#!/usr/bin/env bash
# The pytest passes of `make test` (after lint), on the stack `make infra` started. Arguments are
# pytest options given to every pass (`make test PYTEST_ARGS="-m 'not slow'"`).
#
# 1. Every test but those in 2, in two pytest processes side by side, each on a test database of
#    its own: the services' and shared library's tests (mostly waiting on PostgreSQL round trips,
#    about one core), then the API fuzzing of three services, beside the whole-platform tests in
#    `tests/` (services as processes) with the fuzzing of the collections API (schemathesis on a
#    scratch database: 6 generated examples per operation besides its example and coverage
#    phases, `AR_FUZZ_MAX_EXAMPLES=40 make test` for a deeper run). The suite is CPU-bound on 2
#    cores: side by side saves only what balancing the two sides gives.
# 2. The tests that restart the stack's PostgreSQL or Kafka (the fault tests, the broker restart),
#    alone and last: the other processes' servers would answer a restart with 5xx.
# 3. The unit tests again with the tests' clock a year ahead: no rule may depend on today's date.
#    Not the integration tests again (real PostgreSQL, Kafka and processes), which pass 1 and 2 ran.
set -uo pipefail
cd "$(dirname "$0")/.."

pytest() { uv run --no-sync pytest "$@"; }
# pytest's "no tests collected" (5) is not a failure here: a marker expression may leave a pass empty
passed() { [[ $1 -eq 0 || $1 -eq 5 ]]; }

restarts=(libs/shared/tests/test_broker_restart.py tests/test_faults.py)
units=(libs/shared/tests services/ledger/tests services/credit/tests services/collections/tests
	services/notifications/tests)
platform_db="${AR_PG_TEST_DATABASE:-ar_test}_platform"
deploy/provision.sh "$platform_db" >/dev/null || exit 1

logs="$(mktemp -d "${TMPDIR:-/tmp}/ar-tests.XXXXXX")"
trap 'rm -rf "$logs"' EXIT
platform_log="$logs/platform"
echo "==> pass 1: the whole-platform tests (tests/, on $platform_db) beside the services' tests"
export AR_FUZZ_MAX_EXAMPLES="${AR_FUZZ_MAX_EXAMPLES:-6}"
# the fuzzing shared between the two processes (each on a scratch database of its own): the
# collections API, the largest, beside the platform tests, the other three after the services' tests
AR_PG_TEST_DATABASE="$platform_db" AR_FUZZ_SERVICES=collections \
	pytest --durations=15 tests "${restarts[@]/#/--ignore=}" "$@" >"$platform_log" 2>&1 &
platform_pid=$!
AR_FUZZ_SERVICES=ledger,credit,notifications \
	pytest --durations=15 "${units[@]}" tests/test_api_fuzzing.py "${restarts[@]/#/--ignore=}" "$@" \
	2>&1 | tee "$logs/services"
main=${PIPESTATUS[0]}
wait "$platform_pid"
platform=$?
echo "==> pass 1: the whole-platform tests (ran beside the tests above)"
cat "$platform_log"

echo "==> pass 2: the tests restarting PostgreSQL and Kafka; -rfEP prints each fault's oracle report"
pytest --durations=10 -rfEP "${restarts[@]}" "$@" 2>&1 | tee "$logs/restarts"
faults=${PIPESTATUS[0]}

echo "==> pass 3: the unit tests again with the tests' clock a year ahead"
AR_TEST_CLOCK_SHIFT_DAYS=365 pytest -q -m "not slow and not integration" "$@" "${units[@]}" \
	2>&1 | tee "$logs/year-ahead"
ahead=${PIPESTATUS[0]}

status=0
for pass in "services:$main" "platform:$platform" "restarts:$faults" "year-ahead:$ahead"; do
	if ! passed "${pass#*:}"; then
		echo "==> ${pass%%:*} failed (pytest exit ${pass#*:})"
		# repeated last: CI keeps only the tail of a long output, which must still name the failures
		sed -n '/^=* \(FAILURES\|ERRORS\) =*$/,/^=* \(PASSES\|short test summary info\) =*$/p' \
			"$logs/${pass%%:*}" | grep -E '^(_{3,} .* _{3,}|E  )' | tail -n 60
		sed -n '/short test summary info/,$p' "$logs/${pass%%:*}"
		status=1
	fi
done
exit $status
