-- wrk script of the overload section (the bench's own, not a copy from shared/peers):
-- post.lua plus a count of answers by HTTP status, and of the 429/503 answers that carry
-- a Retry-After header and a PONTE_QUEUE_FULL body. wrk itself only counts "non-2xx".
-- Prints "WRK_JSON {...}" (as post.lua) and "WRK_STATUS {...}" when wrk finishes.
-- usage: WRK_BODY_FILE=body.json wrk -t1 -c128 -d10s --latency -s post-status.lua URL
local path = os.getenv("WRK_BODY_FILE")
if not path then error("set WRK_BODY_FILE to a file with the JSON request body") end
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

-- Per wrk thread (each has its own Lua state); done() sums them through setup's list.
local threads = {}
function setup(thread) table.insert(threads, thread) end

statuses = {}
retry_after = 0
queue_full = 0

function response(status, headers, resp_body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 429 or status == 503 then
    for k, _ in pairs(headers) do
      if string.lower(k) == "retry-after" then retry_after = retry_after + 1 break end
    end
    if resp_body and string.find(resp_body, "PONTE_QUEUE_FULL", 1, true) then queue_full = queue_full + 1 end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_status":%d,"err_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
  local total, ra, qf = {}, 0, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses") or {}) do total[s] = (total[s] or 0) + n end
    ra = ra + (t:get("retry_after") or 0)
    qf = qf + (t:get("queue_full") or 0)
  end
  local parts = {}
  for s, n in pairs(total) do table.insert(parts, string.format('"%d":%d', s, n)) end
  io.write(string.format('WRK_STATUS {"statuses":{%s},"retry_after":%d,"queue_full":%d}\n',
    table.concat(parts, ","), ra, qf))
end
