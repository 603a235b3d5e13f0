using StackExchange.Redis;

namespace Fusebox.Redis.Tests.Reconciliation;

/// <summary>Validation at the boundary: replies and messages become a view in range or a named corruption.</summary>
public sealed class ReplyParserTests
{
    private static readonly ViewLimits Limits = new(MaxOpenMs: 5_000, MaxRoundMs: 2_000);

    private static RedisResult Reply(long state = 1, long openLeft = 1_000, long opens = 0, long roundLeft = 0, long permits = 0)
    {
        static RedisResult I(long v) => RedisResult.Create(v, ResultType.Integer);
        static RedisResult S(string v) => RedisResult.Create(v, ResultType.BulkString);
        return RedisResult.Create([S("e1"), I(3), I(state), I(openLeft), I(opens), S("why"), S("r1"), I(permits), I(0), I(0), I(0), I(roundLeft), I(1), I(0)]);
    }

    [Fact]
    public void A_reply_in_range_is_a_view_received_on_the_coordinators_clock()
    {
        var parsed = ReplyParser.Parse(Reply(), Limits, receivedAt: 42);
        Assert.Null(parsed.Corruption);
        Assert.Equal(new { State = BreakerState.Open, Generation = 3L, OpenUntil = 1_042L, By = "r1" },
            new { parsed.View!.State, parsed.View.Generation, parsed.View.OpenUntil, By = parsed.View.DecidedBy });
    }

    [Fact]
    public void A_field_the_script_found_corrupt_is_named_with_its_value_and_allowed_range()
    {
        var marker = RedisResult.Create([RedisResult.Create("!", ResultType.BulkString), RedisResult.Create("s", ResultType.BulkString),
            RedisResult.Create("9", ResultType.BulkString)]);
        var parsed = ReplyParser.Parse(marker, Limits, 0);
        Assert.Null(parsed.View);
        Assert.Equal("field s = '9', allowed [0, 4] (0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled)", parsed.Corruption);
    }

    [Fact]
    public void An_open_until_beyond_the_cap_is_corrupt_not_adopted()
    {
        var parsed = ReplyParser.Parse(Reply(openLeft: (long)TimeSpan.FromDays(30).TotalMilliseconds), Limits, 0);
        Assert.Null(parsed.View);
        Assert.Equal("field u = 2592000000 ms from now, allowed [0, 5000] ms", parsed.Corruption);
        Assert.Equal(("e1", 3L), (parsed.Rejected!.Epoch, parsed.Rejected.Generation)); // so the repair removes exactly it
        Assert.NotNull(ReplyParser.Parse(Reply(openLeft: 5_000), Limits, 0).View); // the cap itself is fine
        Assert.Equal(86_400_000, ViewLimits.Absolute.MaxOpenMs); // a day: another
        // replica may give longer breaks than this one; the scripts check each open-until against the break it was given
    }

    [Fact]
    public void A_round_deadline_beyond_the_round_timeout_and_probe_counts_out_of_range_are_corrupt()
    {
        Assert.StartsWith("field hd = 9000 ms", ReplyParser.Parse(Reply(state: 2, roundLeft: 9_000), Limits, 0).Corruption);
        Assert.Equal("field pl = 5000, allowed [0, 1000]", ReplyParser.Parse(Reply(permits: 5_000), Limits, 0).Corruption);
    }

    [Fact]
    public void Stale_time_fields_of_states_that_do_not_use_them_are_not_corrupt()
    {
        Assert.NotNull(ReplyParser.Parse(Reply(state: 0, openLeft: 99_999_999), Limits, 0).View);
    }

    [Fact]
    public void A_reply_of_the_wrong_shape_is_malformed()
    {
        Assert.Equal("malformed reply (Integer)", ReplyParser.Parse(RedisResult.Create(1, ResultType.Integer), Limits, 0).Corruption);
        Assert.Equal("malformed reply (1 elements)",
            ReplyParser.Parse(RedisResult.Create([RedisResult.Create(1, ResultType.Integer)]), Limits, 0).Corruption);
    }

    [Fact]
    public void Messages_are_validated_like_replies_and_foreign_ones_are_ignored()
    {
        ViewLimits? For(string name) => name == "payments" ? Limits : null;
        var ok = ReplyParser.ParseMessage("""{"n":"payments","e":"e1","g":4,"s":1,"r":1000,"o":0,"d":"x","w":"r2","at":"17"}"""u8, For, 5);
        Assert.Equal((BreakerState.Open, 17L), (ok!.Value.Reply.View!.State, ok.Value.Reply.View.SentAtMicros));

        var bad = ReplyParser.ParseMessage("""{"n":"payments","e":"e1","g":4,"s":9}"""u8, For, 5);
        Assert.StartsWith("field s = 9", bad!.Value.Reply.Corruption);
        Assert.StartsWith("field o = -3", ReplyParser.ParseMessage("""{"n":"payments","e":"e1","g":4,"s":0,"o":-3}"""u8, For, 5)!.Value.Reply.Corruption);

        Assert.Null(ReplyParser.ParseMessage("garbage"u8, For, 5));
        Assert.Null(ReplyParser.ParseMessage("""{"n":"someone-else","e":"e1","g":4,"s":1}"""u8, For, 5));
        Assert.Null(ReplyParser.ParseMessage("[1,2]"u8, For, 5));
    }
}
