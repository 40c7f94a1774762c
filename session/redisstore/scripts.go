package redisstore

import "github.com/redis/go-redis/v9"

// Outcomes of rotateScript, the first element of its reply.
const (
	outcomeRotated = iota
	outcomeInGrace
	outcomeInvalid
	outcomeRevoked
	outcomeExpired
	outcomeReuse
)

// Every script touches one key, so that it runs on Cluster: the family
// hash (KEYS[1] = <prefix>f{<family id>}) holds the family's fields and,
// per refresh token, "h:<id>" (the secret's hash) and "c:<id>" (when it
// was consumed, in Unix milliseconds).

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
  'ea', ARGV[5], 'lu', ARGV[4], 'h:' .. ARGV[6], ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1
`)

// rotateScript applies session.Store's Rotate rules in their order.
// ARGV: id, hash, next id, next hash, now, grace, idle (times in ms; idle
// 0 disables the idle timeout).
// Reply: {outcome} or {outcome, subject, scopes, claims, created, expires}.
var rotateScript = redis.NewScript(`
local f = KEYS[1]
if redis.call('HGET', f, 'h:' .. ARGV[1]) ~= ARGV[2] then return {2} end
local s = redis.call('HMGET', f, 'rv', 'ea', 'lu', 'c:' .. ARGV[1], 'sub', 'sc', 'cl', 'ca')
if s[1] then return {3} end
local now, grace, idle = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local last = tonumber(s[3])
if now >= tonumber(s[2]) or (idle > 0 and now - last >= idle) then return {4} end
local outcome = 0
if s[4] then
  if grace <= 0 or now - tonumber(s[4]) >= grace then
    redis.call('HSET', f, 'rv', '1')
    return {5}
  end
  outcome = 1
else
  redis.call('HSET', f, 'c:' .. ARGV[1], ARGV[5])
end
redis.call('HSET', f, 'h:' .. ARGV[3], ARGV[4])
if now > last then redis.call('HSET', f, 'lu', ARGV[5]) end
return {outcome, s[5], s[6], s[7], s[8], s[2]}
`)

// revokeScript marks a family revoked, if it still exists: a revoked
// family keeps answering ErrRevoked until it expires.
var revokeScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'rv', '1') end
return 0
`)

// indexScript adds a family to its subject's sorted set (KEYS[1], scored
// by expiry), drops the expired ones, and keeps the set until its last
// family expires.
// ARGV: family id, expires, now (ms).
var indexScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 0
`)
