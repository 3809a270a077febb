#!/usr/bin/env bash
# Builds the JVM tokenization library (glue-jobs/jvm) reproducibly: a pinned Maven from Maven Central
# (sha512-checked, cached in ~/.cache/sentinel), its own local repository there (never ~/.m2), strict
# checksums, and the unit tests. The jar lands at build/jvm/sentinel-tokenization.jar with its SHA-256
# in build/jvm/sentinel-tokenization.jar.sha256 and the sources it was built from, with theirs, in
# build/jvm/sentinel-tokenization.inputs. Local Spark puts the jar on spark.jars; `npm run build`
# records it in build/manifest.json for synth, which ships it to Glue (--extra-jars).
#
#   tools/build/jvm.sh              build
#   tools/build/jvm.sh --if-stale   build only when a source changed or the jar is not the one recorded
#                                   (the set-up and `npm run build` use this)
set -euo pipefail
cd "$(dirname "$0")/../.."

MAVEN_VERSION=3.9.16
MAVEN_SHA512=831a8591fe20c8243b1dbe7d71e3244f31d1665b0804b2e825e38cbbe5ce0cafb8338851f90780735568773e0a6cd07bbec107cda0b896b008b861075358b6f6
CENTRAL=https://repo.maven.apache.org/maven2
OUT=build/jvm
JAR=$OUT/sentinel-tokenization.jar

# Every file of glue-jobs/jvm but Maven's target/, and this script, each with its SHA-256.
source_digests() {
  find glue-jobs/jvm -path glue-jobs/jvm/target -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum
  sha256sum tools/build/jvm.sh
}

if [ "${1:-}" = "--if-stale" ] && [ -f "$JAR" ] && [ -f "$JAR.sha256" ] && [ -f "$OUT/sentinel-tokenization.inputs" ] \
  && (cd "$OUT" && sha256sum --check --status sentinel-tokenization.jar.sha256) \
  && [ "$(source_digests)" = "$(cat "$OUT/sentinel-tokenization.inputs")" ]; then
  exit 0
fi

# the same cache as the Terraform toolchain (tools/terraform/toolchain.ts cacheRoot)
cache=${SENTINEL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sentinel}
maven_home=$cache/apache-maven-$MAVEN_VERSION
if [ ! -x "$maven_home/bin/mvn" ]; then
  mkdir -p "$cache"
  archive=$cache/apache-maven-$MAVEN_VERSION-bin.tar.gz
  if [ ! -f "$archive" ] || ! echo "$MAVEN_SHA512  $archive" | sha512sum -c --status; then
    curl --fail --silent --show-error --location --retry 3 -o "$archive.part" \
      "$CENTRAL/org/apache/maven/apache-maven/$MAVEN_VERSION/apache-maven-$MAVEN_VERSION-bin.tar.gz"
    mv "$archive.part" "$archive"
  fi
  echo "$MAVEN_SHA512  $archive" | sha512sum -c --status \
    || { echo "apache-maven-$MAVEN_VERSION-bin.tar.gz does not match its pinned SHA-512; refusing to use it" >&2; rm -f "$archive"; exit 1; }
  rm -rf "$maven_home.part" && mkdir -p "$maven_home.part"
  tar -xzf "$archive" -C "$maven_home.part" --strip-components=1
  mv "$maven_home.part" "$maven_home"
fi

command -v javac >/dev/null 2>&1 || { echo "javac (a Java 17 JDK) is required to build glue-jobs/jvm" >&2; exit 1; }
inputs=$(source_digests)
"$maven_home/bin/mvn" --batch-mode --no-transfer-progress --strict-checksums \
  -Dmaven.repo.local="$cache/m2/repository" \
  -f glue-jobs/jvm/pom.xml clean package

mkdir -p "$OUT"
cp glue-jobs/jvm/target/sentinel-tokenization.jar "$JAR"
(cd "$OUT" && sha256sum sentinel-tokenization.jar > sentinel-tokenization.jar.sha256)
echo "$inputs" > "$OUT/sentinel-tokenization.inputs"
echo "built $JAR sha256:$(cut -d' ' -f1 "$JAR.sha256")"
