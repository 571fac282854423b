-- POST /api/v1/charge as the bench merchant; only answers with "result":"A" count.
--
-- Environment (set by run.sh): BENCH_MID, BENCH_API_KEY, BENCH_LUA_DIR, optional
-- BENCH_AMOUNT (integer cents, default 1000) and BENCH_META.

dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

local mid = assert(os.getenv("BENCH_MID"), "BENCH_MID is not set")
local api_key = assert(os.getenv("BENCH_API_KEY"), "BENCH_API_KEY is not set")
local amount = tonumber(os.getenv("BENCH_AMOUNT") or "1000")

wrk.method = "POST"
wrk.path = "/api/v1/charge"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. api_key
wrk.body = string.format(
  '{"mid":"%s","amount":%d,"account_token":"4111111111111111","expiration":"12/30","capture":"Y"}',
  mid, amount)

function accept(status, body)
  return status == 200 and body ~= nil and string.find(body, '"result":"A"', 1, true) ~= nil
end
