-- wrk script for scripts/bench-gateway.sh: the seed's REST calls, with per-response counts and a
-- machine-readable summary. Arguments after `--` (key=value):
--   mode=sensor     POST /api/sensor-data, the seed's body over machines `ids` (default 1-6), healthy
--                   values with small variation; counts duplicates and anomalies from the answers
--   mode=batch      POST /api/sensor-data/batch, `size` readings (default 1000) per request as JSON, over `ids`
--   mode=dashboard  GET /api/dashboard-stats
--   label=NAME      copied into the summary line
-- done() prints one line `WRK_JSON {...}` (latencies in microseconds).

local mode, label, ids, size = "sensor", "", { 1, 2, 3, 4, 5, 6 }, 1000
local threads = {}
local counter = 0

-- Approximately normal noise (sum of three uniforms), so bodies vary as a real sensor's do.
local function noise(sd)
  return (math.random() + math.random() + math.random() - 1.5) * 2 * sd
end

local function reading(id)
  return string.format(
    '{"equipment_id":%d,"temperature":%.2f,"vibration":%.3f,"pressure":%.2f,"power_consumption":%.2f,"efficiency":%.2f}',
    id, 70 + noise(1.5), 2.5 + noise(0.15), 100 + noise(2.5), 50 + noise(1.5), 92 + noise(1.0))
end

local function parse(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key == "mode" then mode = value
    elseif key == "label" then label = value
    elseif key == "size" then size = tonumber(value)
    elseif key == "ids" then
      ids = {}
      for id in value:gmatch("%d+") do ids[#ids + 1] = tonumber(id) end
    end
  end
end

function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local batch_body
function init(args)
  parse(args)
  bench_label, bench_mode = label, mode -- globals, read by done() in the main state through a thread
  math.randomseed(1000 + (tid or 0))
  counter = tid or 0
  ok, non2xx, duplicates, anomalies, ready, accepted = 0, 0, 0, 0, 0, 0
  if mode == "batch" then
    local parts = {}
    for i = 1, size do parts[i] = reading(ids[(i + (tid or 0)) % #ids + 1]) end
    batch_body = "[" .. table.concat(parts, ",") .. "]"
  end
end

local json_headers = { ["Content-Type"] = "application/json" }
-- The gateway's API key (bench-gateway.sh exports it; the seed has none).
local api_key = os.getenv("PM_API_KEY")
if api_key and api_key ~= "" then json_headers["Authorization"] = "Bearer " .. api_key end
-- The benchmark's requests without authentication (a gateway started with GATEWAY_BENCHMARK_WITHOUT_AUTH).
if os.getenv("PM_BENCH_WITHOUT_AUTH") == "1" then json_headers["X-PM-Benchmark-Without-Auth"] = "1" end

function request()
  if mode == "dashboard" then
    return wrk.format("GET", "/api/dashboard-stats", json_headers)
  elseif mode == "batch" then
    return wrk.format("POST", "/api/sensor-data/batch", json_headers, batch_body)
  end
  counter = counter + 1
  return wrk.format("POST", "/api/sensor-data", json_headers, reading(ids[counter % #ids + 1]))
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if mode == "sensor" then
      if body:find('"duplicate":true', 1, true) then duplicates = duplicates + 1 end
      if body:find('"anomaly":true', 1, true) then anomalies = anomalies + 1 end
      if body:find('"model":"ready"', 1, true) or body:find('"score":', 1, true) and not body:find('"model":', 1, true) then
        ready = ready + 1
      end
    elseif mode == "batch" then
      accepted = accepted + (tonumber(body:match('"accepted":(%d+)')) or 0)
    end
  else
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local t = { ok = 0, non2xx = 0, duplicates = 0, anomalies = 0, ready = 0, accepted = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + (thread:get(key) or 0) end
  end
  if threads[1] then
    label, mode = threads[1]:get("bench_label") or label, threads[1]:get("bench_mode") or mode
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"label":"%s","mode":"%s","duration_us":%d,"requests":%d,"ok":%d,"non2xx":%d,' ..
    '"duplicates":%d,"anomalies":%d,"model_ready":%d,"accepted":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    label, mode, summary.duration, summary.requests, t.ok, t.non2xx, t.duplicates, t.anomalies, t.ready, t.accepted,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
