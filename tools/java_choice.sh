#!/usr/bin/env bash
# Which Java resnet4j runs on, in one place: the launcher sources this file (java_choice), and the build
# runs it with --newest-other to find the JDK its second test run uses.
#   java_choice: RESNET4J_JAVA (a java binary or a JDK home), else JAVA_HOME, else the newest JDK >= 17
#   under RESNET4J_JVM_DIR (default /usr/lib/jvm), else `java` on the PATH. Sets java_bin and
#   java_feature; a named Java older than 17 (or none at all) is one `error:` line and status 1.
# A JDK's version comes from its `release` file (no JVM started); a home whose release file lists modules
# but not java.desktop (images) and jdk.incubator.vector (the Java engine) is a JRE we skip.

# java_home_of BIN: the JDK home holding the java binary BIN (symlinks resolved)
java_home_of() {
  local bin
  bin="$(readlink -f "$1")"
  dirname "$(dirname "$bin")"
}

# java_release_feature HOME: the feature version (17, 25) of the JDK at HOME, or nothing
java_release_feature() {
  local v=""
  if [ -f "$1/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$1/release")"
  elif [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  fi
  v="${v#1.}" # 1.8.0 is Java 8
  v="${v%%[.+-]*}"
  case "$v" in '' | *[!0-9]*) ;; *) echo "$v" ;; esac
}

# java_complete HOME: true unless HOME's release file lists its modules without what resnet4j needs
java_complete() {
  local modules
  [ -f "$1/release" ] || return 0
  modules="$(sed -n 's/^MODULES="\(.*\)"/\1/p' "$1/release")"
  [ -z "$modules" ] && return 0
  case " $modules " in *" java.desktop "*) ;; *) return 1 ;; esac
  case " $modules " in *" jdk.incubator.vector "*) ;; *) return 1 ;; esac
}

# java_newest: the home of the newest complete JDK >= 17 under RESNET4J_JVM_DIR, or nothing
java_newest() {
  local best="" best_version="" home f v
  for home in "${RESNET4J_JVM_DIR:-/usr/lib/jvm}"/*/; do
    home="$(readlink -f "$home")"
    [ -x "$home/bin/java" ] || continue
    f="$(java_release_feature "$home")"
    [ -n "$f" ] && [ "$f" -ge 17 ] && java_complete "$home" || continue
    v="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$home/release" 2>/dev/null || true)"
    v="${f}.${v:-0}"
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_version" "$v" | sort -V | tail -1)" = "$v" ]; then
      best="$home" best_version="$v"
    fi
  done
  [ -n "$best" ] && echo "$best"
}

java_choice() {
  local given="" name="" home=""
  if [ -n "${RESNET4J_JAVA:-}" ]; then
    given="$RESNET4J_JAVA" name="RESNET4J_JAVA"
  elif [ -n "${JAVA_HOME:-}" ]; then
    given="$JAVA_HOME" name="JAVA_HOME"
  fi
  if [ -n "$given" ]; then
    if [ -d "$given" ] && [ -x "$given/bin/java" ]; then
      home="$(readlink -f "$given")"
    elif [ -f "$given" ] && [ -x "$given" ]; then
      home="$(java_home_of "$given")"
    else
      echo "error: $name=$given is neither a java binary nor a JDK home (one with bin/java)" >&2
      return 1
    fi
  else
    home="$(java_newest)" || true
    if [ -z "$home" ]; then
      if ! command -v java >/dev/null; then
        echo "error: no Java found: set RESNET4J_JAVA to a JDK 17 or newer (a java binary or a JDK home)" >&2
        return 1
      fi
      home="$(java_home_of "$(command -v java)")"
      name="java on the PATH"
    fi
  fi
  java_bin="$home/bin/java"
  java_feature="$(java_release_feature "$home")"
  if [ -z "$java_feature" ] || [ "$java_feature" -lt 17 ]; then
    echo "error: ${name:-the JDK} at $home is Java ${java_feature:-of unknown version}; resnet4j needs Java 17 or newer (set RESNET4J_JAVA)" >&2
    return 1
  fi
}

# --newest: the newest JDK's home; --newest-other HOME: the same unless it is HOME (then nothing)
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    --newest) java_newest || true ;;
    --newest-other)
      newest="$(java_newest || true)"
      [ -n "$newest" ] && [ "$newest" != "$(readlink -f "${2:-}")" ] && echo "$newest"
      ;;
  esac
  exit 0
fi
