-- wrk: POST /v1/payments, each request with its own reference (thread id and counter).
-- The Authorization header and the client come from the environment (deploy/bench/http.sh).
local counter = 0
local threads = {}
local key = os.getenv("BENCH_KEY")
local prefix = os.getenv("BENCH_PREFIX") or "HTTP"
local day = os.getenv("BENCH_DAY")

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    counter = 0
end

function request()
    counter = counter + 1
    local reference = string.format("%s-%d-%d", prefix, id, counter)
    local body = string.format(
        '{"client_ref":"C1","reference":"%s","currency":"USD","amount":"1.00","received_on":"%s"}', reference, day)
    return wrk.format("POST", "/v1/payments",
        { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end

-- Any answer but 201 is counted, so a run of refusals is not mistaken for throughput.
local refused = 0
function response(status, headers, body)
    if status ~= 201 then refused = refused + 1 end
end
