-- POST /ords/sprint/oauth/token with client_secret_basic (RFC 6749 §4.4).
-- BASIC = base64(client_id:client_secret), set by run.sh.
wrk.method = "POST"
wrk.path = "/ords/sprint/oauth/token"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BASIC")
