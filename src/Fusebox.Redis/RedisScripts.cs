namespace Fusebox.Redis;

/// <summary>
/// The Lua scripts. Each runs atomically in Redis, so every shared transition is a compare-and-set on the breaker's
/// state hash (epoch, generation, expected state) with exactly one winner, and the winner publishes the new state in
/// the same script. Times are Redis server time (<c>TIME</c>); replies carry durations that are left, never instants,
/// so replicas need no synchronised clocks. StackExchange.Redis sends them as EVALSHA after the first call.
/// </summary>
/// <remarks>
/// State hash fields: e epoch (random id, new when the hash is created: tells a restarted or flushed Redis from an old
/// one), g generation, s state (0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled), u open-until (ms), o
/// consecutive opens, d description, w who (replica id), pl probe permits left, ps probe successes, pk successes to
/// close, pn probe permits in the round, hd half-open round deadline (ms), ub the break an open state was given (ms: an open-until beyond it is corrupt). Window buckets: hash per bucket of
/// <c>replica|c</c> (calls) and <c>replica|f</c> (failures), with expiry, keyed by Redis server time.
/// Reply: {e, g, s, open ms left, o, d, w, pl, ps, pk, pn, round ms left, code, extra}; or {'!', field, value} when a
/// stored field is not what the scripts write (a non-integer, a state outside 0–4, a key that is not a hash, a bucket
/// of anything but integer counts): the script then changes nothing and <see cref="ReplyParser"/> reports the breaker
/// corrupt. A wrong-typed key is read with <c>pcall</c> so that it never fails the script, let alone the connection.
/// </remarks>
internal static partial class RedisScripts
{
    private const string Prelude = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function failed(r)
          return type(r) == 'table' and r.err ~= nil
        end
        local function int_field(st, name, raw, max)
          if not raw then return 0 end
          if not string.match(raw, '^%d+$') or (max and tonumber(raw) > max) then
            if not st.bad then st.bad = name; st.raw = raw end
            return 0
          end
          return tonumber(raw)
        end
        local function load(key, create_epoch, now)
          local v = redis.pcall('HMGET', key, 'e', 'g', 's', 'u', 'o', 'd', 'w', 'pl', 'ps', 'pk', 'pn', 'hd', 'ub')
          if failed(v) then
            return {e = '', g = 0, s = 0, u = 0, o = 0, d = '', w = '', pl = 0, ps = 0, pk = 0, pn = 0, hd = 0, ub = 0, bad = 'type',
              raw = redis.call('TYPE', key).ok}
          end
          if not v[1] then
            return {e = create_epoch or '', g = 0, s = 0, u = 0, o = 0, d = '', w = '', pl = 0, ps = 0, pk = 0, pn = 0, hd = 0, ub = 0, new = true}
          end
          local st = {e = v[1], d = v[6] or '', w = v[7] or ''}
          st.g = int_field(st, 'g', v[2]); st.s = int_field(st, 's', v[3], 4); st.u = int_field(st, 'u', v[4])
          st.o = int_field(st, 'o', v[5], 1000000); st.pl = int_field(st, 'pl', v[8], 1000); st.ps = int_field(st, 'ps', v[9], 1000)
          st.pk = int_field(st, 'pk', v[10], 1000); st.pn = int_field(st, 'pn', v[11], 1000); st.hd = int_field(st, 'hd', v[12])
          st.ub = int_field(st, 'ub', v[13])
          -- ub is the break the deciding replica gave the open state (hashes this version wrote have it): an open-until
          -- further out than that (a minute of slack for a failover to a server whose clock is a little behind) was
          -- not written by a script.
          if v[13] and st.s == 1 and not st.bad and st.u > now + st.ub + 60000 then st.bad = 'u'; st.raw = v[4] end
          return st
        end
        local function corrupt(st)
          return {'!', st.bad, st.raw or ''}
        end
        local function bad_bucket(key)
          return {'!', 'bucket', key}
        end
        local function left(t, now)
          if t > now then return t - now end
          return 0
        end
        local function reply(st, now, code, extra)
          return {st.e, st.g, st.s, left(st.u, now), st.o, st.d, st.w, st.pl, st.ps, st.pk, st.pn, left(st.hd, now), code, extra or 0}
        end
        local function save(key, st, ttl)
          redis.call('HSET', key, 'e', st.e, 'g', st.g, 's', st.s, 'u', st.u, 'o', st.o, 'd', st.d, 'w', st.w,
            'pl', st.pl, 'ps', st.ps, 'pk', st.pk, 'pn', st.pn, 'hd', st.hd, 'ub', (st.s == 1 and st.ub) or 0)
          redis.call('PEXPIRE', key, ttl)
        end
        local function commit(key, st, now, ttl, channel, name, at)
          st.g = st.g + 1
          save(key, st, ttl)
          redis.call('PUBLISH', channel, cjson.encode({n = name, e = st.e, g = st.g, s = st.s, r = left(st.u, now), o = st.o,
            d = st.d, w = st.w, pl = st.pl, ps = st.ps, pk = st.pk, pn = st.pn, h = left(st.hd, now), at = at}))
        end
        local function brk(opens, base, backoff, maxb, jitter, r)
          local b = base * math.pow(backoff, opens)
          if maxb > 0 and b > maxb then b = maxb end
          b = math.floor(b * (1 - jitter * r))
          if b < 1 then b = 1 end
          return b
        end
        local function buckets(base, bucket_ms, count, now, ahead)
          local b = math.floor(now / tonumber(bucket_ms)) + (ahead or 0)
          local keys = {}
          for i = 0, tonumber(count) - 1 + (ahead or 0) do keys[#keys + 1] = base .. string.format('%d', b - i) end
          return keys
        end
        local function set_open(st, now, b)
          st.s = 1; st.u = now + b; st.ub = b
        end
        local function no_probes(st)
          st.pl = 0; st.ps = 0; st.pk = 0; st.pn = 0; st.hd = 0
        end
        -- Probe permit leases: a hash of replica -> 'round generation:permits:expires at (ms)'. A value of any other shape,
        -- or of another round, is dropped (leases only ever hand permits back, so dropping one is safe).
        local function lease_of(key, replica, g)
          local v = redis.pcall('HGET', key, replica)
          if failed(v) then redis.call('DEL', key); return 0, 0 end
          local lg, n, exp = string.match(v or '', '^(%d+):(%d+):(%d+)$')
          if not lg or tonumber(lg) ~= g then return 0, 0 end
          return tonumber(n), tonumber(exp)
        end
        local function set_lease(key, replica, g, n, now, ms)
          if n <= 0 then redis.call('HDEL', key, replica); return end
          redis.call('HSET', key, replica, string.format('%d:%d:%d', g, n, now + ms))
          redis.call('PEXPIRE', key, ms * 4)
        end
        -- Permits of expired leases of round st.g go back to the round (a replica that died or lost its traffic).
        local function reclaim(key, st, now)
          local h = redis.pcall('HGETALL', key)
          if failed(h) then redis.call('DEL', key); return end
          for j = 1, #h, 2 do
            local lg, n, exp = string.match(h[j + 1], '^(%d+):(%d+):(%d+)$')
            if not lg or tonumber(lg) ~= st.g then
              redis.call('HDEL', key, h[j])
            elseif tonumber(exp) <= now then
              st.pl = math.min(st.pn, st.pl + tonumber(n))
              redis.call('HDEL', key, h[j])
            end
          end
        end

        """;

    /// <summary>Reads the state and, when it exists, keeps it alive for another state TTL (a replica still uses it; only
    /// keys no replica reads any more expire). KEYS: state. ARGV: state ttl ms. Creates nothing (a missing hash reads
    /// as closed, generation 0, epoch '').</summary>
    public const string Read = Prelude + """
        local now = now_ms()
        local st = load(KEYS[1], nil, now)
        if st.bad then return corrupt(st) end
        if not st.new then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return reply(st, now, 1)
        """;

    /// <summary>
    /// Adds one replica's counts to the current bucket, if its view (epoch, generation) is current and the state is
    /// closed or disabled, then, when closed, decides on the whole window: opens when the cluster-wide failure rate and
    /// minimum calls are reached and the replicas whose own rate reaches the threshold are at least the quorum minimum
    /// and more than the quorum fraction of the replicas that called; or when the replicas whose local breaker tripped
    /// in the window (a vote, sent with the flush that follows a local trip) alone make such a quorum. The vote exists
    /// because a local trip stops the replica's counts: with a window still full of the healthy calls made before the
    /// outage, the cluster-wide rate would otherwise never be reached while every replica has in fact given up.
    /// Code 0 ignored, 1 added, 2 added and opened.
    /// KEYS: state; the throttle hash, for a breaker with adaptive throttling (RedisScripts.Throttle.cs: the reply then has
    /// two more elements, the other replicas' requests and accepts).
    /// ARGV: create epoch, known epoch, known generation, replica, calls, failures, bucket ttl ms, rate, minimum calls,
    /// quorum minimum, quorum fraction, break ms, backoff, max break ms, jitter, random, state ttl ms, channel, name, at,
    /// vote ('1' after a local trip; '-1' withdraws this replica's vote from the window: its breaker closed again), bucket
    /// key base, bucket ms, buckets in the window; with the throttle hash: window requests, window accepts, window ms.
    /// </summary>
    public const string Flush = Prelude + ThrottlePrelude + """
        local now = now_ms()
        local bk = buckets(ARGV[22], ARGV[23], ARGV[24], now)
        local st = load(KEYS[1], ARGV[1], now)
        if st.bad then return corrupt(st) end
        if KEYS[2] then
          -- Throttling on: share this replica's window whatever the state and view, and append the other replicas'
          -- sums to every reply below (the prelude's reply, wrapped: elements 15 and 16).
          local others, bad = share_throttle(KEYS[2], ARGV[4], tonumber(ARGV[25]), tonumber(ARGV[26]), tonumber(ARGV[27]), now)
          if bad then return bad end
          reply = with_others(reply, others)
        end
        if st.new then save(KEYS[1], st, ARGV[17]); st.new = nil else redis.call('PEXPIRE', KEYS[1], ARGV[17]) end
        local known = ARGV[2]
        if known == '' then known = st.e end -- the replica saw no state yet (generation 0): its counts belong here
        local calls = tonumber(ARGV[5])
        local fails = tonumber(ARGV[6])
        local vote = ARGV[21] == '1'
        if ARGV[21] == '-1' then
          -- The replica's breaker closed again after its trip: its vote leaves every bucket of the window, whatever the
          -- state (a stale view of it must not keep a vote that no longer holds).
          for i = 1, #bk do
            if failed(redis.pcall('HDEL', bk[i], ARGV[4] .. '|t')) then return bad_bucket(bk[i]) end
          end
          if calls <= 0 then return reply(st, now, 1) end
        end
        if (calls <= 0 and not vote) or st.e ~= known or st.g ~= tonumber(ARGV[3]) or (st.s ~= 0 and st.s ~= 4) then
          return reply(st, now, 0)
        end
        if calls > 0 and failed(redis.pcall('HINCRBY', bk[1], ARGV[4] .. '|c', calls)) then return bad_bucket(bk[1]) end
        if fails > 0 and failed(redis.pcall('HINCRBY', bk[1], ARGV[4] .. '|f', fails)) then return bad_bucket(bk[1]) end
        if vote and failed(redis.pcall('HSET', bk[1], ARGV[4] .. '|t', 1)) then return bad_bucket(bk[1]) end
        redis.call('PEXPIRE', bk[1], ARGV[7])
        if st.s ~= 0 then return reply(st, now, 1) end
        local rate = tonumber(ARGV[8])
        local per = {}
        for i = 1, #bk do
          local h = redis.pcall('HGETALL', bk[i])
          if failed(h) then return bad_bucket(bk[i]) end
          for j = 1, #h, 2 do
            local rep = string.sub(h[j], 1, -3)
            local kind = string.sub(h[j], -1)
            local n = tonumber(h[j + 1])
            if not n or (kind ~= 'c' and kind ~= 'f' and kind ~= 't') then return bad_bucket(bk[i]) end
            local r = per[rep]
            if not r then r = {c = 0, f = 0, t = 0}; per[rep] = r end
            r[kind] = r[kind] + n
          end
        end
        local total, failed, active, failing, tripped = 0, 0, 0, 0, 0
        for _, r in pairs(per) do
          if r.c > 0 or r.t > 0 then
            active = active + 1
            total = total + r.c
            failed = failed + r.f
            if r.t > 0 then tripped = tripped + 1 end
            if r.t > 0 or (r.f > 0 and r.f >= rate * r.c) then failing = failing + 1 end
          end
        end
        local qmin, qfrac = tonumber(ARGV[10]), tonumber(ARGV[11])
        local by_votes = tripped >= qmin and tripped > qfrac * active
        local by_rate = total >= tonumber(ARGV[9]) and failed > 0 and failed >= rate * total
           and failing >= qmin and failing > qfrac * active
        if not (by_votes or by_rate) then
          return reply(st, now, 1)
        end
        st.o = 0
        set_open(st, now, brk(0, tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])))
        no_probes(st)
        if by_rate then
          st.d = string.format('failure rate %d%% over %d calls, failing on %d of %d replicas', math.floor(failed * 100 / total), total, failing, active)
        else
          st.d = string.format('local breakers tripped on %d of %d replicas', tripped, active)
        end
        st.w = ARGV[4]
        commit(KEYS[1], st, now, ARGV[17], ARGV[18], ARGV[19], ARGV[20])
        return reply(st, now, 2)
        """;

    /// <summary>
    /// A compare-and-set transition. Code 1 won, 0 lost (the reply then holds the state that won).
    /// kind: open (from the expected state, consecutive opens 0), reopen (a probe failed: consecutive opens + 1),
    /// halfopen (a new probe round), set (manual: target state; closed clears the window and the backoff), restore (open
    /// again for the break that was left, with the consecutive opens it had: Redis lost the state, e.g. FLUSHALL).
    /// KEYS: state (the window's buckets, by server time, and two ahead of it are deleted when closing).
    /// ARGV: create epoch, expected epoch ('' any), expected generation (-1 any), expected state (-1 any), kind,
    /// target, require due ('1': only once the break or the round has run out), who, description, break ms, backoff,
    /// max break ms, jitter, random, probe permits, successes to close, round ms, state ttl ms, channel, name, at,
    /// break left ms and consecutive opens (restore only), bucket key base, bucket ms, buckets in the window.
    /// </summary>
    public const string Transition = Prelude + """
        local now = now_ms()
        local st = load(KEYS[1], ARGV[1], now)
        if st.bad then return corrupt(st) end
        if st.new then save(KEYS[1], st, ARGV[18]); st.new = nil end
        if (ARGV[2] ~= '' and st.e ~= ARGV[2]) or (tonumber(ARGV[3]) >= 0 and st.g ~= tonumber(ARGV[3]))
           or (tonumber(ARGV[4]) >= 0 and st.s ~= tonumber(ARGV[4])) then
          return reply(st, now, 0)
        end
        if ARGV[7] == '1' and ((st.s == 1 and now < st.u) or (st.s == 2 and now < st.hd)) then
          return reply(st, now, 0)
        end
        local kind = ARGV[5]
        local base, backoff, maxb, jitter, r = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
        if kind == 'open' then
          st.o = 0; set_open(st, now, brk(0, base, backoff, maxb, jitter, r)); no_probes(st)
        elseif kind == 'restore' then
          st.o = tonumber(ARGV[23]); set_open(st, now, tonumber(ARGV[22])); no_probes(st)
        elseif kind == 'reopen' then
          st.o = st.o + 1; set_open(st, now, brk(st.o, base, backoff, maxb, jitter, r)); no_probes(st)
        elseif kind == 'halfopen' then
          st.s = 2; st.u = 0; st.pn = tonumber(ARGV[15]); st.pl = st.pn; st.ps = 0; st.pk = tonumber(ARGV[16]); st.hd = now + tonumber(ARGV[17])
        else
          st.s = tonumber(ARGV[6]); st.u = 0; no_probes(st)
          if st.s == 0 then
            st.o = 0
            for _, k in ipairs(buckets(ARGV[24], ARGV[25], ARGV[26], now, 2)) do redis.call('DEL', k) end
          end
        end
        st.w = ARGV[8]
        st.d = ARGV[9]
        commit(KEYS[1], st, now, ARGV[18], ARGV[19], ARGV[20], ARGV[21])
        return reply(st, now, 1)
        """;

    /// <summary>
    /// Removes what is corrupt among a breaker's keys, so the replicas re-seed it from their local states (as after a
    /// flush): the state hash when it is not a hash, a field fails the syntax check, or it is still the epoch and
    /// generation the caller found out of range; each window bucket that is not a hash of integer counts. Code 1, extra =
    /// keys removed; the reply holds the state afterwards. KEYS: state, the throttle hash (when throttling is on). ARGV: corrupt epoch, corrupt generation ('' and
    /// -1 when the caller saw a syntax or type error), bucket key base, bucket ms, buckets in the window.
    /// </summary>
    public const string Repair = Prelude + ThrottlePrelude + """
        local removed = 0
        if KEYS[2] then removed = removed + remove_unless(KEYS[2], '^%d+:%d+:%d+$') end
        local now = now_ms()
        local st = load(KEYS[1], nil, now)
        if st.bad or (not st.new and ARGV[1] ~= '' and st.e == ARGV[1] and st.g == tonumber(ARGV[2])) then
          redis.call('DEL', KEYS[1]); removed = removed + 1
        end
        for _, k in ipairs(buckets(ARGV[3], ARGV[4], ARGV[5], now, 2)) do removed = removed + remove_unless(k, '^%d+$') end
        return reply(load(KEYS[1], nil, now), now, 1, removed)
        """;
}
