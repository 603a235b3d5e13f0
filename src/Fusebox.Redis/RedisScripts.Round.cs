namespace Fusebox.Redis;

/// <summary>The scripts of the shared half-open round: leased probe permits and reported successes (the prelude and the
/// leases' helpers are in RedisScripts.cs).</summary>
internal static partial class RedisScripts
{
    /// <summary>Takes up to <c>want</c> probe permits of the current half-open round, leased to the replica until it
    /// renews them (<see cref="Lease"/>); first returns the permits of expired leases to the round. Code 1 with extra =
    /// permits taken, 0 when the round is not the expected one. KEYS: state, leases. ARGV: epoch, generation, want,
    /// replica, lease ms.</summary>
    public const string Claim = Prelude + """
        local now = now_ms()
        local st = load(KEYS[1], nil, now)
        if st.bad then return corrupt(st) end
        if st.new or st.e ~= ARGV[1] or st.g ~= tonumber(ARGV[2]) or st.s ~= 2 then return reply(st, now, 0) end
        local before = st.pl
        reclaim(KEYS[2], st, now)
        local n = math.min(tonumber(ARGV[3]), st.pl)
        if n > 0 then
          st.pl = st.pl - n
          local held = lease_of(KEYS[2], ARGV[4], st.g)
          set_lease(KEYS[2], ARGV[4], st.g, held + n, now, tonumber(ARGV[5]))
        end
        if st.pl ~= before then redis.call('HSET', KEYS[1], 'pl', st.pl) end
        return reply(st, now, 1, n)
        """;

    /// <summary>Renews this replica's lease of the current round's permits for the <c>keep</c> it still holds (probes
    /// in flight, permits not yet used) and returns the rest to the round. Code 1 with extra = permits returned, 0 when
    /// the round is not the expected one (the lease is dropped). KEYS: state, leases. ARGV: epoch, generation, replica,
    /// keep, lease ms.</summary>
    public const string Lease = Prelude + """
        local now = now_ms()
        local st = load(KEYS[1], nil, now)
        if st.bad then return corrupt(st) end
        if st.new or st.e ~= ARGV[1] or st.g ~= tonumber(ARGV[2]) or st.s ~= 2 then
          redis.pcall('HDEL', KEYS[2], ARGV[3])
          return reply(st, now, 0)
        end
        local held, exp = lease_of(KEYS[2], ARGV[3], st.g)
        if held > 0 and exp <= now then held = 0 end -- expired: its permits went back to the round at the last claim
        local keep = math.min(tonumber(ARGV[4]), held)
        local back = held - keep
        if back > 0 then
          st.pl = math.min(st.pn, st.pl + back)
          redis.call('HSET', KEYS[1], 'pl', st.pl)
        end
        set_lease(KEYS[2], ARGV[3], st.g, keep, now, tonumber(ARGV[5]))
        return reply(st, now, 1, back)
        """;

    /// <summary>Adds probe successes to the current round; closes (code 2) when they reach the successes to close,
    /// clearing the window. The permits the successes used leave the replica's lease.
    /// Code 1 added, 0 not the expected round.
    /// KEYS: state, leases. ARGV: epoch, generation, successes, who, state ttl ms, channel, name, at, bucket key base,
    /// bucket ms, buckets in the window, lease ms.</summary>
    public const string ProbeSucceeded = Prelude + """
        local now = now_ms()
        local st = load(KEYS[1], nil, now)
        if st.bad then return corrupt(st) end
        if st.new or st.e ~= ARGV[1] or st.g ~= tonumber(ARGV[2]) or st.s ~= 2 then return reply(st, now, 0) end
        local held = lease_of(KEYS[2], ARGV[4], st.g)
        set_lease(KEYS[2], ARGV[4], st.g, held - tonumber(ARGV[3]), now, tonumber(ARGV[12]))
        st.ps = st.ps + tonumber(ARGV[3])
        if st.ps < st.pk then
          redis.call('HSET', KEYS[1], 'ps', st.ps)
          return reply(st, now, 1)
        end
        st.d = string.format('%d half-open probes succeeded', st.ps)
        st.s = 0; st.o = 0; st.u = 0; no_probes(st)
        st.w = ARGV[4]
        for _, k in ipairs(buckets(ARGV[9], ARGV[10], ARGV[11], now, 2)) do redis.call('DEL', k) end
        commit(KEYS[1], st, now, ARGV[5], ARGV[6], ARGV[7], ARGV[8])
        return reply(st, now, 2)
        """;
}
