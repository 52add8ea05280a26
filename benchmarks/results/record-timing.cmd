java -jar benchmarks/target/benchmarks.jar RecordTimingBenchmark -f 2 -prof gc -rf json -rff benchmarks/results/record-timing.json
