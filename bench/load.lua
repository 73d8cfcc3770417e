-- wrk script for bench/load.py: one endpoint, checked answers, an optional pause per connection, JSON results.
-- wrk -t2 -c16 -d10s -H 'Authorization: ...' -s bench/load.lua URL -- METHOD STATUS NEEDLE DELAY_MS OUT BODY
--   METHOD  GET or POST; POST sends a quick log (started_at now, a severity, a location) with a fresh
--           Idempotency-Key, as the phone's outbox does
--   STATUS  the status every answer must have (others count as errors: wrk itself counts only >= 400)
--   NEEDLE  text every answer's body must contain ("-": none)
--   DELAY_MS pause before each request on a connection (0: as fast as possible); fractional parts are spread
--           by rounding at random, since wrk's timer counts whole milliseconds
--   OUT     where done() writes the JSON summary
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  method, expect_status, needle = args[1], tonumber(args[2]), args[3]
  delay_ms, out_path = tonumber(args[4]), args[5]
  if needle == "-" then needle = nil end
  bad_status, bad_body = 0, 0
  math.randomseed(os.time() * 1000 + id * 7919)
  whole_delay = math.floor(delay_ms)
  part_delay = delay_ms - whole_delay
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
  local headers = {}  -- wrk.format replaces wrk.headers (the -H ones) with the table it is given
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Idempotency-Key"] = uuid4()
  return wrk.format(nil, nil, headers, body)
end

function delay()
  if whole_delay == 0 and part_delay == 0 then return 0 end
  if math.random() < part_delay then return whole_delay + 1 end
  return whole_delay
end

function response(status, headers, body)
  if status ~= expect_status then
    bad_status = bad_status + 1
  elseif needle and not string.find(body, needle, 1, true) then
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
