-- Shared by charge.lua and health.lua: per-thread counters and one JSON line at the end.
--
-- Each wrk thread runs its own Lua state; setup() (main state) keeps the thread handles
-- so that done() can add up what every thread's response() counted.
--
-- Output: one line starting with "BENCH_JSON " followed by a JSON object; run.sh collects it.
-- BENCH_META (a JSON object, set by run.sh) is copied into it as "meta".

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(_)
  approved = 0
  refused = 0
  sample = ""
end

-- `accept(status, body)` is set by the script that loads this file.
function response(status, _, body)
  if accept(status, body) then
    approved = approved + 1
  else
    refused = refused + 1
    if sample == "" then
      sample = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, _)
  local ok, bad, first_bad = 0, 0, ""
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("approved") or 0)
    bad = bad + (thread:get("refused") or 0)
    local s = thread:get("sample") or ""
    if first_bad == "" then first_bad = s end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    'BENCH_JSON {"meta":%s,"duration_s":%.3f,"requests":%d,"ok":%d,"not_ok":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"ok_per_s":%.1f,"req_per_s":%.1f,'
      .. '"latency_ms":{"mean":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f},'
      .. '"first_not_ok":%s}\n',
    os.getenv("BENCH_META") or "{}", seconds, summary.requests, ok, bad,
    e.connect, e.read, e.write, e.timeout,
    ok / seconds, summary.requests / seconds,
    ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)),
    ms(latency:percentile(99)), ms(latency.max),
    json_string(first_bad)))
end
