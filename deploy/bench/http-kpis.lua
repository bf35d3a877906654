-- wrk: GET /v1/reports/kpis with the tenant's key (deploy/bench/http.sh).
local key = os.getenv("BENCH_KEY")
wrk.headers["Authorization"] = "Bearer " .. key
wrk.path = "/v1/reports/kpis"
