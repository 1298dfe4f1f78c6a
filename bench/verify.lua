-- wrk script for bench/verify.py: POSTs the request bodies in BENCH_BODIES (one JSON body per line) in
-- turn, each thread from its own offset; counts any answer that is not a 200 with "verified":true; prints
-- one JSON object at the end.
local bodies = {}
local position = 0
not_verified = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    table.insert(bodies, line)
  end
  position = offset % #bodies
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  position = position % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[position])
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"verified":true', 1, true) then
    not_verified = not_verified + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("not_verified")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "http_errors": %d, "timeouts": %d, '
      .. '"not_verified": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write, errors.status,
    errors.timeout, failed, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
