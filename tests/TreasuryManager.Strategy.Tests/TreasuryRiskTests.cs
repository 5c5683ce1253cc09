using CsCheck;
using TreasuryManager.Strategy.Risk;
using PoolExposure = TreasuryManager.Strategy.Risk.PoolExposure<string>;
using RiskEnforcement = TreasuryManager.Strategy.Risk.RiskEnforcement<string>;

namespace TreasuryManager.Strategy.Tests;

/// <summary>Treasury-wide risk (issue 7, item 4a): the pure aggregation and limit rule, as properties over random treasuries.</summary>
public sealed class TreasuryRiskTests
{
    private static readonly string[] Tokens = ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000b2", "0x00000000000000000000000000000000000000c3"];

    private static readonly Gen<PoolExposure> Pool =
        Gen.Select(Gen.Int[0, 2], Gen.Double[0, 1_000], Gen.Double[-1_200, 300], Gen.Bool, Gen.Double[0, 3_000], Gen.Double[0, 3_000], Gen.Int[1, 1_000_000])
            .Select((t, x, perp, hedged, maxShort, maxLong, id) => new PoolExposure(
                "0x" + id.ToString("x40"), Tokens[t], x, perp, 2.0, 0.05, hedged, maxShort, maxLong));

    private static readonly Gen<(PoolExposure[] Pools, Dictionary<string, double> Limits)> Treasury =
        Gen.Select(Pool.Array[1, 8], Gen.Double[1, 2_000].Array[3], Gen.Bool.Array[3])
            .Where((pools, _, _) => pools.Select(p => p.Pool).Distinct().Count() == pools.Length)
            .Select((pools, limits, has) => (pools, Enumerable.Range(0, 3).Where(i => has[i]).ToDictionary(i => Tokens[i], i => limits[i])));

    private static Dictionary<string, double> NetAfter(PoolExposure[] pools, RiskEnforcement e) =>
        pools.GroupBy(p => p.BaseToken).ToDictionary(g => g.Key, g => g.Sum(p => p.NetDelta) + e.Trades.Where(t => t.Token == g.Key).Sum(t => t.SizeDelta));

    [Fact]
    public void The_net_delta_of_a_token_is_the_sum_of_its_pools_and_their_hedges_and_the_value_at_risk_scales_with_it()
    {
        Treasury.Sample(c =>
        {
            var risk = TreasuryRisk.Aggregate(c.Pools, c.Limits, 2.33, 4);
            Assert.Equal(c.Pools.Select(p => p.BaseToken).Distinct().Count(), risk.Count);
            foreach (var t in risk)
            {
                var mine = c.Pools.Where(p => p.BaseToken == t.Token).ToArray();
                var net = mine.Sum(p => p.PoolBase) + mine.Sum(p => p.PerpSize);
                Assert.Equal(net, t.NetDelta, 1e-9);
                Assert.Equal(mine.Length, t.Pools);
                Assert.Equal(2.33 * 0.05 * 2.0 * Math.Abs(net) * 2, t.ValueAtRisk, 1e-9);
                Assert.Equal(c.Limits.TryGetValue(t.Token, out var l) ? l : null, t.Limit);
            }
        });
    }

    [Fact]
    public void The_limit_rule_ends_within_the_limit_whenever_the_hedged_pools_have_the_room_and_never_asks_past_a_pools_room()
    {
        Treasury.Sample(c =>
        {
            var e = TreasuryRisk.Enforce(c.Pools, c.Limits);
            var after = NetAfter(c.Pools, e);
            var byPool = c.Pools.ToDictionary(p => p.Pool);
            foreach (var t in e.Trades)
            {
                var p = byPool[t.Pool];
                Assert.True(p.Hedged, "an unhedged pool (ratio 0 or no policy) never trades");
                Assert.True(p.PerpSize + t.SizeDelta >= -p.MaxShort - 1e-9 || t.SizeDelta > 0, $"short past the room: {p} {t}");
                Assert.True(p.PerpSize + t.SizeDelta <= p.MaxLong + 1e-9 || t.SizeDelta < 0, $"long past the room: {p} {t}");
            }
            foreach (var (token, net) in after)
            {
                var before = c.Pools.Where(p => p.BaseToken == token).Sum(p => p.NetDelta);
                if (!c.Limits.TryGetValue(token, out var limit) || Math.Abs(before) <= limit)
                {
                    Assert.DoesNotContain(e.Trades, t => t.Token == token); // within its limit (or none): untouched
                    continue;
                }
                var breach = e.Breaches.SingleOrDefault(b => b.Token == token);
                var room = c.Pools.Where(p => p.BaseToken == token && p.Hedged)
                    .Sum(p => Math.Max(0, before > 0 ? p.PerpSize + p.MaxShort : p.MaxLong - p.PerpSize));
                if (room >= Math.Abs(before) - (1 - TreasuryRisk.LimitHeadroom) * limit)
                {
                    // the room allows it: the net ends at the aim inside the limit, and no breach
                    Assert.Null(breach);
                    Assert.Equal((1 - TreasuryRisk.LimitHeadroom) * limit, Math.Abs(net), 1e-6);
                }
                if (breach is null)
                {
                    Assert.True(Math.Abs(net) <= limit + 1e-9, $"net {net} after, limit {limit}");
                    Assert.True(Math.Sign(net) == Math.Sign(before) || Math.Abs(net) < 1e-6, "the rule reduces the net, it does not flip it");
                }
                else
                {
                    // not enough room: every hedged pool of the token traded all of it, and the breach says so
                    Assert.True(Math.Abs(net) > limit);
                    Assert.Equal(net, breach.NetAfter, 1e-6);
                    Assert.Contains("setHedgePolicy", breach.Detail);
                    Assert.Equal(Math.Abs(before) - room, Math.Abs(net), 1e-6);
                }
            }
        });
    }

    [Fact]
    public void With_every_ratio_zero_nothing_trades_and_a_token_past_its_limit_is_a_breach()
    {
        Treasury.Sample(c =>
        {
            var unhedged = c.Pools.Select(p => p with { Hedged = false }).ToArray();
            var e = TreasuryRisk.Enforce(unhedged, c.Limits);
            Assert.Empty(e.Trades);
            var past = unhedged.GroupBy(p => p.BaseToken).Where(g => c.Limits.TryGetValue(g.Key, out var l) && Math.Abs(g.Sum(p => p.NetDelta)) > l).Select(g => g.Key);
            Assert.Equal(past.OrderBy(a => a.ToString()), e.Breaches.Select(b => b.Token).OrderBy(a => a.ToString()));
        });
    }

    [Fact]
    public void Two_pools_each_small_but_together_past_the_limit_share_the_urgent_trade_by_their_room()
    {
        var token = Tokens[0];
        var a = new PoolExposure("0x0000000000000000000000000000000000000001", token, 600, -500, 2, 0.05, true, 1_500, 1_500);
        var b = new PoolExposure("0x0000000000000000000000000000000000000002", token, 600, -500, 2, 0.05, true, 1_000, 1_000);
        var e = TreasuryRisk.Enforce([a, b], new Dictionary<string, double> { [token] = 100 });
        // net 200 > 100: sell 200 − 95 = 105, rooms (how far each may still go short) 1000 and 500
        Assert.Empty(e.Breaches);
        Assert.Equal(-70, e.Trades.Single(t => t.Pool == a.Pool).SizeDelta, 1e-9);
        Assert.Equal(-35, e.Trades.Single(t => t.Pool == b.Pool).SizeDelta, 1e-9);
    }
}
