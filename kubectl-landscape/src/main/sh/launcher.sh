#!/bin/sh
# kubectl-landscape: a launcher line in front of a runnable jar (everything after this script is the jar).
# KUBECTL_LANDSCAPE_JAVA_OPTS replaces the JVM options below; JAVA_HOME picks the JVM (Java 17 or newer).
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" ${KUBECTL_LANDSCAPE_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xshare:auto} -jar "$0" "$@"
