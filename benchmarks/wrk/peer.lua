-- wrk script for the peer (django-survey-and-report). Each thread alternates: GET the
-- survey, keep the csrftoken cookie it sets and the csrfmiddlewaretoken of the page,
-- POST the answers with both (one pair per POST, never reused). A stored response
-- answers 302 (to its confirmation page). Arguments after "--": FORM_PATH BODY_FILE ORIGIN.
-- Prints the same JSON line as submit.lua ("accepted_303" counts the peer's 302s).
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
  pending = {}
  gets, posts, accepted, refused, other = 0, 0, 0, 0, 0
  no_token = 0
end

request = function()
  local form = table.remove(pending)
  if form then
    posts = posts + 1
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = origin,
      ["Cookie"] = "csrftoken=" .. form.cookie,
    }, "csrfmiddlewaretoken=" .. form.token .. "&" .. answers)
  end
  gets = gets + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 200 then
    local cookie = (headers["Set-Cookie"] or ""):match("csrftoken=([^;]+)")
    local token = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
    if cookie and token then
      table.insert(pending, {cookie = cookie, token = token})
    else
      no_token = no_token + 1
    end
  elseif status == 302 then
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
