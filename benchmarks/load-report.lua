-- wrk reporter for benchmarks/load.sh: one machine-readable line per run (latencies in microseconds).
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d bytes=%d"
      .. " socket_errors=%d non2xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.bytes, e.connect + e.read + e.write + e.timeout, e.status))
end
