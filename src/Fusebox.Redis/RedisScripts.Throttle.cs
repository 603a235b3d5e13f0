namespace Fusebox.Redis;

/// <summary>The shared part of adaptive throttling, and the repair's key check it shares with the window buckets (the
/// prelude is in RedisScripts.cs): a hash per breaker,
/// <c>prefix:{name}:throttle</c>, of <c>replica → 'requests:accepts:written at (server ms)'</c>, used only by breakers
/// with adaptive throttling on (the flush passes it as KEYS[2]; without it the scripts are what they were).</summary>
/// <remarks>
/// Each replica stores its own window's counts as they are (a gauge, replaced at each flush), not deltas: a throttling
/// window's totals go down as its buckets expire, so "since the last flush" has no meaning without a per-call counter,
/// and the others' sum is then exactly the union of their own windows, whatever the length of the trip window's buckets.
/// An entry older than the window (its replica stopped writing: gone, or cut off) no longer counts and is removed.
/// </remarks>
internal static partial class RedisScripts
{
    private const string ThrottlePrelude = """
        -- Writes this replica's counts (or removes them when zero) and sums the other replicas' entries younger than the
        -- window. Returns {requests, accepts}, or nil and a corrupt reply (then it changed nothing).
        local function share_throttle(key, replica, req, acc, horizon, now)
          local h = redis.pcall('HGETALL', key)
          if failed(h) then return nil, {'!', 'throttle', redis.call('TYPE', key).ok} end
          local tr, ta, gone = 0, 0, {}
          for j = 1, #h, 2 do
            local r, a, at = string.match(h[j + 1], '^(%d+):(%d+):(%d+)$')
            if not r or #r > 15 or #a > 15 then return nil, {'!', 'throttle', h[j + 1]} end
            if h[j] ~= replica then
              if tonumber(at) + horizon <= now then gone[#gone + 1] = h[j] else tr = tr + tonumber(r); ta = ta + tonumber(a) end
            end
          end
          if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
          if req > 0 or acc > 0 then
            redis.call('HSET', key, replica, string.format('%d:%d:%d', req, acc, now))
            redis.call('PEXPIRE', key, horizon * 2)
          else
            redis.call('HDEL', key, replica)
          end
          return {tr, ta}
        end
        -- The prelude's reply with the other replicas' sums appended (elements 15 and 16).
        local function with_others(plain, others)
          return function(st, now, code, extra)
            local r = plain(st, now, code, extra)
            r[15] = others[1]; r[16] = others[2]
            return r
          end
        end
        -- For Repair: removes a key that is not a hash whose every value matches the pattern (a window bucket's
        -- integer counts, the throttle hash's entries); returns 1 when it did.
        local function remove_unless(key, pattern)
          local h = redis.pcall('HGETALL', key)
          local bad = failed(h)
          if not bad then
            for j = 2, #h, 2 do
              if not string.match(h[j], pattern) then bad = true end
            end
          end
          if bad then redis.call('DEL', key); return 1 end
          return 0
        end

        """;
}
