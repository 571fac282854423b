-- GET /homerun/v1/health: no auth, no database; the ceiling of the same server.
-- Counted the same way as charges (the response hook runs for both) so the comparison is fair.

dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/homerun/v1/health"

function accept(status, body)
  return status == 200 and body ~= nil and string.find(body, '"status":"ok"', 1, true) ~= nil
end
