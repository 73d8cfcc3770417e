-- wrk script for bench/load.py: one endpoint, every answer checked, an optional steady rate, JSON results.
-- [LOAD_INTERVAL_MS=x] wrk -t2 -c16 -d10s -H '...' -s bench/load.lua URL -- METHOD STATUS NEEDLE OUT
--   METHOD  GET or POST; POST sends a quick log (started_at now, a severity, a location) with a fresh
--           Idempotency-Key, as the phone's outbox does
--   STATUS  the status every answer must have (others count as errors: wrk itself counts only >= 400)
--   NEEDLE  text every answer's body must contain ("-": none); checked on answers that are not compressed
--   OUT     where done() writes the JSON summary
--   LOAD_INTERVAL_MS (environment) paces each wrk thread to one request per interval, whatever the answers take:
--           delay() keeps a schedule of send times per thread (wrk has no rate option). Unset: full speed.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } coach_timespec;
int clock_gettime(int clock, coach_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("coach_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}
local counter = 0
local interval = tonumber(os.getenv("LOAD_INTERVAL_MS") or "")

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  method, expect_status, needle, out_path = args[1], tonumber(args[2]), args[3], args[4]
  if needle == "-" then needle = nil end
  bad_status, bad_body = 0, 0
  next_send = 0
  math.randomseed(os.time() * 1000 + id * 7919)
  wrk.method = method
  if method == "POST" then
    wrk.headers["Content-Type"] = "application/json"
  end
end

local function uuid4()
  local r = math.random
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x", r(0, 0xffffffff), r(0, 0xffff), r(0, 0xfff),
    0x8000 + r(0, 0x3fff), r(0, 0xffff), r(0, 0xffffffff))
end

local locations = { "lower_back", "lower_back", "mid_back", "neck", "calf" }

function request()
  if method ~= "POST" then
    return wrk.format()
  end
  local body = string.format('{"started_at": "%s", "severity": %d, "locations": ["%s"]}',
    os.date("!%Y-%m-%dT%H:%M:%SZ"), math.random(2, 7), locations[math.random(1, #locations)])
  local headers = {} -- wrk.format replaces wrk.headers (the -H ones) with the table it is given
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Idempotency-Key"] = uuid4()
  return wrk.format(nil, nil, headers, body)
end

if interval then
  -- Defined only when pacing: wrk then waits on a timer before every request, which full speed must not pay.
  function delay()
    local now = now_ms()
    -- Late timers (a busy machine) are made up by sending at once, but never more than a few intervals' worth:
    -- behind by more (every connection was busy waiting for answers) the schedule starts again from now.
    if next_send < now - 4 * interval then next_send = now - 4 * interval end
    local wait = math.max(0, next_send - now)
    next_send = next_send + interval
    local whole = math.floor(wait) -- wrk's timer counts whole milliseconds: round at random, on average exact
    if math.random() < wait - whole then whole = whole + 1 end
    return whole
  end
end

function response(status, headers, body)
  if status ~= expect_status then
    bad_status = bad_status + 1
  elseif #body == 0 or (needle and not headers["Content-Encoding"] and not string.find(body, needle, 1, true)) then
    bad_body = bad_body + 1
  end
end

function done(summary, latency, requests)
  local status, body = 0, 0
  for _, thread in ipairs(threads) do
    status = status + thread:get("bad_status")
    body = body + thread:get("bad_body")
  end
  local e = summary.errors
  local file = assert(io.open(threads[1]:get("out_path"), "w"))
  file:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "bad_status": %d, "bad_body": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_ge_400": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, status, body,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  file:close()
end
