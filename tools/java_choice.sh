#!/usr/bin/env bash
# Which Java resnet4j runs on, in one place: the launcher sources this file (java_choice), and the build
# runs it with --newest-other to find the JDK its second test run uses.
#   java_choice: RESNET4J_JAVA (a java binary or a JDK home), else JAVA_HOME, else the newest JDK >= 17
#   under RESNET4J_JVM_DIR (default /usr/lib/jvm), else `java` on the PATH. Sets java_bin and
#   java_feature; a named Java older than 17 (or none at all) is one `error:` line and status 1.
# A JDK's version comes from its `release` file (no JVM started); a home whose release file lists modules
# but not java.desktop (images) and jdk.incubator.vector (the Java engine) is a JRE we skip.

# Everything below runs in the launcher before every command, so it uses bash builtins only: the forks of
# readlink, sed and sort cost ~130 ms per command (a tenth of a resnet50 export).

# release_value HOME KEY: sets `value` to KEY's quoted value in HOME/release (empty if absent)
release_value() {
  local line
  value=""
  [ -f "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in "$2="*)
      value="${line#"$2="}"
      value="${value#\"}"
      value="${value%\"}"
      return 0
      ;;
    esac
  done <"$1/release"
}

# java_home_of BIN: the JDK home holding the java binary BIN (symlinks resolved)
java_home_of() {
  local bin
  bin="$(readlink -f "$1")"
  dirname "$(dirname "$bin")"
}

# release_feature HOME: sets `feature` to the feature version (17, 25) of the JDK at HOME, or empty
release_feature() {
  local v
  release_value "$1" JAVA_VERSION
  v="$value"
  if [ ! -f "$1/release" ] && [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  fi
  v="${v#1.}" # 1.8.0 is Java 8
  v="${v%%[.+-]*}"
  case "$v" in '' | *[!0-9]*) feature="" ;; *) feature="$v" ;; esac
}

# java_complete HOME: true unless HOME's release file lists its modules without what resnet4j needs
java_complete() {
  release_value "$1" MODULES
  [ -z "$value" ] && return 0
  case " $value " in *" java.desktop "*) ;; *) return 1 ;; esac
  case " $value " in *" jdk.incubator.vector "*) ;; *) return 1 ;; esac
}

# version_newer A B: true when version A (numbers separated by anything else) is above B
version_newer() {
  local a="$1" b="$2" x y
  while [ -n "$a" ] || [ -n "$b" ]; do
    a="${a#"${a%%[0-9]*}"}" b="${b#"${b%%[0-9]*}"}" # skip to the next number
    x="${a%%[!0-9]*}" y="${b%%[!0-9]*}"
    a="${a#"$x"}" b="${b#"$y"}"
    [ $((10#${x:-0})) -gt $((10#${y:-0})) ] && return 0
    [ $((10#${x:-0})) -lt $((10#${y:-0})) ] && return 1
  done
  return 1
}

# java_newest: sets `newest` to the home of the newest complete JDK >= 17 under RESNET4J_JVM_DIR, or
# empty (false); of equal versions (a home and a symlink to it) the first in name order
java_newest() {
  local best="" best_version="" home v
  for home in "${RESNET4J_JVM_DIR:-/usr/lib/jvm}"/*/; do
    home="${home%/}"
    [ -x "$home/bin/java" ] || continue
    release_feature "$home"
    [ -n "$feature" ] && [ "$feature" -ge 17 ] && java_complete "$home" || continue
    release_value "$home" JAVA_RUNTIME_VERSION
    v="${feature}.${value:-0}"
    if [ -z "$best" ] || version_newer "$v" "$best_version"; then
      best="$home" best_version="$v"
    fi
  done
  newest="$best"
  [ -n "$best" ]
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
      home="${given%/}"
    elif [ -f "$given" ] && [ -x "$given" ]; then
      home="$(java_home_of "$given")"
    else
      echo "error: $name=$given is neither a java binary nor a JDK home (one with bin/java)" >&2
      return 1
    fi
  else
    java_newest || true
    home="$newest"
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
  release_feature "$home"
  java_feature="$feature"
  if [ -z "$java_feature" ] || [ "$java_feature" -lt 17 ]; then
    echo "error: ${name:-the JDK} at $home is Java ${java_feature:-of unknown version}; resnet4j needs Java 17 or newer (set RESNET4J_JAVA)" >&2
    return 1
  fi
}

# --newest: the newest JDK's home; --newest-other HOME: the same unless it is HOME (then nothing)
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    --newest) java_newest && echo "$newest" ;;
    --newest-other)
      java_newest && [ "$(readlink -f "$newest")" != "$(readlink -f "${2:-}")" ] && echo "$newest"
      ;;
  esac
  exit 0
fi
