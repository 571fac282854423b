-- GET a protected endpoint with a bearer access token (RFC 6750).
-- TOKEN and BENCH_PATH are set by run.sh.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH") or "/homerun/v1/oauth/token-info"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
