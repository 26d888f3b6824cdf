# Sourced by the sidecar benchmarks: builds the sidecar's classes and sets CP to a copy of them plus its dependencies,
# so that a build in this tree cannot pull classes from under a long run (the copy is removed on exit).
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
cp -r probe-sidecar/target/classes "$classes/main"
cp -r probe-sidecar/target/test-classes "$classes/test"
CP="$classes/test:$classes/main:$(cat probe-sidecar/target/bench.classpath)"
