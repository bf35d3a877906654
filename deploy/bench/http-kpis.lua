-- wrk: GET /v1/reports/kpis?as_of=DAY with the tenant's key (deploy/bench/http.sh): the stored KPIs of one day, as the in-process side reads them.
local key = os.getenv("BENCH_KEY")
wrk.headers["Authorization"] = "Bearer " .. key
wrk.path = "/v1/reports/kpis?as_of=" .. os.getenv("BENCH_DAY")
