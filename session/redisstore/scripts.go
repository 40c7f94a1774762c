package redisstore

import "github.com/redis/go-redis/v9"

// Outcomes of rotateScript, the first element of its reply.
const (
	outcomeRotated = iota // a first use, or a re-send of the request that consumed the token
	outcomeInGrace
	outcomeInvalid
	outcomeRevoked
	outcomeExpired
	outcomeReuse
	outcomeLate // the caller's deadline passed before the script ran: nothing written
)

// Every script touches one key, so that it runs on Cluster: the family
// hash (KEYS[1] = <prefix>f{<family id>}) holds the family's fields
// ("sub", "sc", "cl", "ca", "ea", "lu", "rv"), the id of its live token
// ("lv"), the ids of its latest consumed tokens, oldest first ("q"), and
// per token "h:<id>" (the secret's hash), "c:<id>" (when it was consumed,
// in Unix milliseconds; a grace retry moves it forward while the token is
// the latest consumed, its successor unused), "r:<id>" (the RequestID that consumed it) and
// "s:<id>" (set once a grace retry was handed its successor, which then
// can no longer be taken back).

// createScript records a family and its first token, expiring with the
// family. Repeating the same Create succeeds (a retried pipeline); any
// other family with that id is refused with 0.
// ARGV: subject, scopes, claims, created, expires, first id, first hash.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'h:' .. ARGV[6]) == ARGV[7] then return 1 end
  return 0
end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'sc', ARGV[2], 'cl', ARGV[3], 'ca', ARGV[4],
  'ea', ARGV[5], 'lu', ARGV[4], 'lv', ARGV[6], 'h:' .. ARGV[6], ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1
`)

// rotateScript applies session.Store's Rotate rules in their order, at the
// later of the caller's time and the server's clock (TIME): a command
// that waited in a paused server is timed when it runs.
// ARGV: id, hash, next id, next hash, now, grace, idle, request, deadline,
// kept, first and last unanswered presentation (times in ms; idle 0
// disables the idle timeout, deadline and unanswered 0 mean none; request
// "" matches nothing). The unanswered times are the caller's, shifted by
// now less the caller's now.
// Reply: {outcome} or {outcome, request, subject, scopes, claims, created,
// expires}, request being the one that consumed the token.
var rotateScript = redis.NewScript(`
local f, id = KEYS[1], ARGV[1]
if redis.call('HGET', f, 'h:' .. id) ~= ARGV[2] then return {2} end
local s = redis.call('HMGET', f, 'rv', 'ea', 'lu', 'c:' .. id, 'sub', 'sc', 'cl', 'ca', 'r:' .. id)
if s[1] then return {3} end
local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now = math.max(tonumber(ARGV[5]), clock)
local grace, idle, deadline = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9])
local last = tonumber(s[3])
if now >= tonumber(s[2]) or (idle > 0 and now - last >= idle) then return {4} end
local nowstr = string.format('%d', now)
if s[4] then
  if ARGV[8] ~= '' and s[9] == ARGV[8] then return {0, s[9], s[5], s[6], s[7], s[8], s[2]} end
  local consumed = tonumber(s[4])
  local latest = string.match(redis.call('HGET', f, 'q') or '', '(%S+)$') == id
  local since, first = consumed, tonumber(ARGV[11])
  if latest and first > 0 then
    local shift = now - tonumber(ARGV[5])
    local lastseen = tonumber(ARGV[12]) + shift
    if first + shift - consumed < grace and lastseen > consumed then since = lastseen end
  end
  if grace > 0 and now - since < grace then
    if now > last then redis.call('HSET', f, 'lu', nowstr) end
    if latest and now > consumed then redis.call('HSET', f, 'c:' .. id, nowstr) end
    redis.call('HSET', f, 's:' .. id, '1')
    return {1, s[9] or '', s[5], s[6], s[7], s[8], s[2]}
  end
  if deadline > 0 and clock > deadline then return {6} end
  redis.call('HSET', f, 'rv', '1')
  return {5}
end
if deadline > 0 and clock > deadline then return {6} end
redis.call('HSET', f, 'c:' .. id, nowstr, 'r:' .. id, ARGV[8], 'h:' .. ARGV[3], ARGV[4], 'lv', ARGV[3])
if now > last then redis.call('HSET', f, 'lu', nowstr) end
local ids = {}
for old in string.gmatch(redis.call('HGET', f, 'q') or '', '%S+') do ids[#ids + 1] = old end
ids[#ids + 1] = id
while #ids > tonumber(ARGV[10]) do
  local old = table.remove(ids, 1)
  redis.call('HDEL', f, 'h:' .. old, 'c:' .. old, 'r:' .. old, 's:' .. old)
end
redis.call('HSET', f, 'q', table.concat(ids, ' '))
return {0, ARGV[8], s[5], s[6], s[7], s[8], s[2]}
`)

// revokeScript marks a family revoked, if it still exists: a revoked
// family keeps answering ErrRevoked until it expires or its subject's
// later logins push it out.
var revokeScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'rv', '1') end
return 0
`)

// dropScript deletes a family and returns the ids of the tokens it held,
// so that the caller deletes their index keys (in other hash slots).
var dropScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'lv', 'q')
redis.call('DEL', KEYS[1])
local ids = {}
if v[1] then ids[#ids + 1] = v[1] end
for id in string.gmatch(v[2] or '', '%S+') do ids[#ids + 1] = id end
return ids
`)

// indexScript adds a family to its subject's sorted set (KEYS[1], scored
// by expiry), drops the expired ones, keeps the set until its last family
// expires, and pops the oldest families beyond the subject's bound,
// returning their ids for the caller to delete.
// ARGV: family id, expires, now (ms), most families per subject.
var indexScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
local evicted = {}
if over > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[1], over)
  for i = 1, #popped, 2 do evicted[#evicted + 1] = popped[i] end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return evicted
`)

// abandonScript takes back a rotation: if the token was consumed by the
// request and its successor is the family's live token, not consumed nor
// handed to a grace retry, the family not revoked, the token is live again and the successor
// forgotten. Reply 1 if so (the caller deletes the successor's index
// key), else 0.
// ARGV: id, hash, request, next id.
var abandonScript = redis.NewScript(`
local f, id = KEYS[1], ARGV[1]
local v = redis.call('HMGET', f, 'h:' .. id, 'r:' .. id, 'lv', 'c:' .. ARGV[4], 'rv', 'q', 's:' .. id)
if ARGV[3] == '' or v[1] ~= ARGV[2] or v[2] ~= ARGV[3] or v[3] ~= ARGV[4] or v[4] or v[5] or v[7] then return 0 end
redis.call('HDEL', f, 'c:' .. id, 'r:' .. id, 'h:' .. ARGV[4])
redis.call('HSET', f, 'lv', id)
local ids = {}
for old in string.gmatch(v[6] or '', '%S+') do
  if old ~= id then ids[#ids + 1] = old end
end
redis.call('HSET', f, 'q', table.concat(ids, ' '))
return 1
`)
