-- wrk script for the real submission path. Each thread alternates: GET the form,
-- take the signed token from the page, POST the answers with it (one token per POST,
-- never reused). Arguments after "--": FORM_PATH BODY_FILE ORIGIN.
-- Prints per-status counts and latency percentiles (all requests) as one JSON line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  local f = assert(io.open(args[2], "r"))
  answers = f:read("*a"):gsub("%s+$", "")
  f:close()
  origin = args[3]
  tokens = {}
  gets, posts, accepted, refused, other = 0, 0, 0, 0, 0
  no_token = 0
end

request = function()
  local token = table.remove(tokens)
  if token then
    posts = posts + 1
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = origin,
    }, "_token=" .. token .. "&" .. answers)
  end
  gets = gets + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 200 then
    local token = body:match('name="_token"[^>]*value="([^"]+)"')
      or body:match('value="([^"]+)"[^>]*name="_token"')
    if token then
      table.insert(tokens, token)
    else
      no_token = no_token + 1
    end
  elseif status == 303 then
    accepted = accepted + 1
  elseif status == 422 or status == 400 or status == 403 then
    refused = refused + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = {gets = 0, posts = 0, accepted = 0, refused = 0, other = 0, no_token = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do
      t[key] = t[key] + thread:get(key)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us": %d, "requests": %d, "gets": %d, "posts": %d, ' ..
    '"accepted_303": %d, "refused_4xx": %d, "other_status": %d, "form_without_token": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.duration, summary.requests, t.gets, t.posts, t.accepted, t.refused, t.other,
    t.no_token, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
