#!/usr/bin/env bash
# Upgrading a running fraud job to this release from a savepoint of an earlier release (issue 11):
# builds the earlier release's job jar from git in a worktree under pipelines/target/, then runs
# ReleaseUpgradeIT on a Flink session cluster: the earlier release's job decides half the payments,
# is stopped with a savepoint, and this release's job restores from it and decides the rest; the
# committed output is audited (exactly once, and every customer's history carried on).
#   bash chaos/upgrade.sh             # from the release before schema v2 (5e3ec10, 2026-11-29)
#   bash chaos/upgrade.sh <commit>    # from another release
# Extra Maven flags: MAVEN_ARGS="-o" bash chaos/upgrade.sh
set -euo pipefail
cd "$(dirname "$0")/.."
release=${1:-5e3ec10}
earlier=pipelines/target/release-$release
if [[ ! -f $earlier/pipelines/target/paystream-pipelines-0.1.0-SNAPSHOT-flink-job.jar ]]; then
  rm -rf "$earlier"
  git worktree prune
  git worktree add --detach "$earlier" "$release"
  # shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
  (cd "$earlier" && mvn -B -q ${MAVEN_ARGS:-} -Pflink-runner -pl pipelines -am package -DskipTests)
fi
# shellcheck disable=SC2086
mvn -B -q ${MAVEN_ARGS:-} -Pflink-runner -pl pipelines -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ReleaseUpgradeIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dpaystream.previousRelease="$PWD/$earlier"
