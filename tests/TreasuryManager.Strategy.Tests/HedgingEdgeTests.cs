using System.Numerics;
using TreasuryManager.Strategy.Hedging;
using TreasuryManager.Strategy.Risk;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The hedge's arithmetic at its edges, by hand: the band's quartic solved to its root, the band's and the tolerance's
/// boundaries, the account's human figures (18-decimal base, 6-decimal quote), the maxNotional quantisation, the margin
/// rule's deposit and withdraw thresholds, and the treasury-wide limit at exactly the limit.
/// </summary>
public sealed class HedgingEdgeTests
{
    private static readonly BigInteger E36 = BigInteger.Pow(10, 36);
    private static readonly HedgeCosts Costs = new(FeeRate: 0.0005, FixedCostQuote: 2);

    private static HedgeInputs Inputs(double poolBase = 0, double perp = 0, double price = 2000, double sigma = 0.05, double eta = 40, double gamma = 0.001, HedgeCosts? costs = null) =>
        new(poolBase, perp, price, sigma, eta, gamma, costs ?? Costs);

    [Fact]
    public void The_band_is_the_root_of_its_quartic()
    {
        foreach (var costs in new[] { Costs, new HedgeCosts(0.0005, 0), new HedgeCosts(0, 2), new HedgeCosts(0.01, 50) })
        {
            var i = Inputs(costs: costs);
            var band = Hedger.BandWidth(i);
            // q̄⁴ = K·(c₀ + f·P·q̄), K = 12η²/(γ(σP)²).
            var k = 12 * 40.0 * 40 / (0.001 * (0.05 * 2000) * (0.05 * 2000));
            var rhs = k * (costs.FixedCostQuote + costs.FeeRate * 2000 * band);
            Assert.True(band > 0);
            Assert.Equal(1, Math.Pow(band, 4) / rhs, 12);
        }
        // Only the fixed cost: the Band's own formula (12·c·η²/(γσ²))^(1/4).
        Assert.Equal(TreasuryManager.Models.Risk.Band.HedgeWidth(2, 40, 0.001, 100), Hedger.BandWidth(Inputs(costs: new HedgeCosts(0, 2))), 12);
        // Nothing moves (no delta volatility, or no price volatility): no band.
        Assert.Equal(0, Hedger.BandWidth(Inputs(eta: 0)));
        Assert.Equal(0, Hedger.BandWidth(Inputs(sigma: 0)));
        Assert.Equal(0, Hedger.BandWidth(Inputs(costs: new HedgeCosts(0, 0))));
    }

    [Fact]
    public void Bad_hedge_inputs_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => Hedger.BandWidth(null!));
        Assert.Throws<ArgumentNullException>(() => Hedger.Decide(null!, 1));
        Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.BandWidth(Inputs(gamma: 0))).ParamName);
        Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.BandWidth(Inputs(costs: new HedgeCosts(-0.001, 2)))).ParamName);
        Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.BandWidth(Inputs(costs: new HedgeCosts(0.001, -2)))).ParamName);
        Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.Decide(Inputs(price: 0), 1)).ParamName);
        Assert.Equal("hedgeRatio", Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.Decide(Inputs(), 1.01)).ParamName);
    }

    [Fact]
    public void A_deviation_of_exactly_the_band_holds_and_one_past_it_trades_back_to_the_target()
    {
        var band = Hedger.BandWidth(Inputs());
        // No pool base: the target is 0 and the deviation is the position itself.
        Assert.IsType<HedgeHold>(Hedger.Decide(Inputs(perp: band), 1));
        var adjust = Assert.IsType<HedgeAdjust>(Hedger.Decide(Inputs(perp: band * 1.001), 1));
        Assert.Equal(-band * 1.001, adjust.SizeDelta);
        Assert.Equal(0, adjust.TargetSize);
        // With the pool long 100 base and h = 0.5, the target is −50; a position of −60 is 10 short of it: buy 10.
        var buy = Assert.IsType<HedgeAdjust>(Hedger.Decide(Inputs(poolBase: 100, perp: -60, eta: 0), 0.5));
        Assert.Equal(10, buy.SizeDelta, 12);
        Assert.Equal(-50, buy.TargetSize);
    }

    [Fact]
    public void A_deviation_at_the_rounding_level_of_the_sizes_is_no_deviation()
    {
        // No band (nothing moves) and a position 10⁻⁷ from a target of −10⁶: within 10⁻¹²·2·10⁶ = 2·10⁻⁶, so hold.
        Assert.IsType<HedgeHold>(Hedger.Decide(Inputs(poolBase: 1e6, perp: -1e6 + 1e-7, eta: 0), 1));
        Assert.IsType<HedgeAdjust>(Hedger.Decide(Inputs(poolBase: 1e6, perp: -1e6 + 1e-4, eta: 0), 1));
    }

    [Fact]
    public void The_planner_reads_the_curve_in_human_units_whatever_the_decimals()
    {
        // L = 1000 (human) on [81, 121] at P = 100: x = 1000(1/10 − 1/11) = 9.0909 base, x′ = −1000/(2·100^1.5) = −0.5.
        // 18-decimal base, 6-decimal quote: raw price = P·10⁻¹², raw L = L·√(10¹⁸·10⁶).
        const double scale = 1e-12;
        var low = TreasuryManager.Models.Curve.Uint.SqrtPriceX96FromPrice(81 * scale);
        var high = TreasuryManager.Models.Curve.Uint.SqrtPriceX96FromPrice(121 * scale);
        var liquidity = new BigInteger(1000 * Math.Sqrt(1e18 * 1e6));
        var (x, slope) = HedgePlanner.CurveDelta(liquidity, low, high, 100, 18, 6);
        Assert.Equal(1000.0 / 110, x, 6);
        Assert.Equal(-0.5, slope, 6);
        Assert.Throws<ArgumentNullException>(() => HedgePlanner.Exposure(null!));
        Assert.Throws<ArgumentNullException>(() => HedgePlanner.Order(null!, 1));
    }

    private static PerpHedgeAccount Account(double size, double equity, double margin, double price = 2000, double maxNotional = 1_000_000, long minPips = 100_000) =>
        new(new PerpAccountState(new BigInteger(size * 1e18), new BigInteger(margin * 1e6), new BigInteger(equity * 1e6), new BigInteger(price * 1e6) * E36 / BigInteger.Pow(10, 18)),
            new PerpMarketTerms(TradeFeePips: 500, InitialMarginPips: 50_000), new HedgeLimits(new BigInteger(maxNotional * 1e6), minPips), 18, 6);

    [Fact]
    public void The_account_in_human_units()
    {
        var a = Account(size: -3, equity: 5000, margin: 4000, price: 2000, maxNotional: 10_000);
        Assert.Equal(-3, a.Size, 12);
        Assert.Equal(2000, a.MarkPrice, 9);
        Assert.Equal(5000, a.Equity, 9);
        Assert.Equal(0.0005, a.FeeRate, 15);
        Assert.Equal(5, a.MaxAbsSize, 9);
        Assert.Equal(new HedgePosition(a.Size, a.Equity, a.MarkPrice), a.Position);
    }

    [Fact]
    public void Max_abs_size_is_the_largest_size_within_max_notional_either_way()
    {
        // 30 units at 0.3 quote/unit is exactly 9: allowed. 3 units at 3 is 9 < 10, and 4 would be 12.
        Assert.Equal(new BigInteger(30), PerpHedgeMath.MaxAbsSize(9, 3 * E36 / 10));
        Assert.Equal(new BigInteger(3), PerpHedgeMath.MaxAbsSize(10, 3 * E36));
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.MaxAbsSize(10, 0));
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.MaxAbsSize(10, -E36));
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.TradeFee(0, E36, 500));
        // 3 units at 1 quote/unit, 500 pips: ⌈3·500/10⁶⌉ = 1 (a fee rounds up).
        Assert.Equal(BigInteger.One, PerpHedgeMath.TradeFee(-3, E36, 500));
        Assert.Equal(new BigInteger(2_000_000_000), PerpHedgeMath.ToRawTowardZero(2000, 6));
        Assert.Equal("human", Assert.Throws<ArgumentOutOfRangeException>(() => PerpHedgeMath.ToRawTowardZero(double.NaN, 6)).ParamName);
        Assert.Equal(0.5, PerpHedgeMath.Human(500_000, 6));
    }

    [Fact]
    public void A_position_at_exactly_max_notional_is_not_clamped()
    {
        var plan = PerpHedgeMath.Plan(Account(size: 0, equity: 10_000, margin: 10_000, maxNotional: 10_000), 5, 0.2);
        Assert.False(plan.Clamped);
        Assert.Equal(new BigInteger(5e18), plan.NewSize);
        var clamped = PerpHedgeMath.Plan(Account(size: 0, equity: 10_000, margin: 10_000, maxNotional: 10_000), 6, 0.2);
        Assert.True(clamped.Clamped);
        Assert.Equal(new BigInteger(5e18), clamped.NewSize);
        Assert.Throws<ArgumentNullException>(() => PerpHedgeMath.Plan(null!, 1, 0.2));
    }

    [Fact]
    public void The_margin_is_topped_up_below_the_target_and_withdrawn_only_past_twice_it()
    {
        // A short of 5 at 2000 is 10,000 notional; the target ratio 0.2 needs 2,000 (above 0.1 + 0.01 safety).
        // No trade: equity exactly 2,000 needs nothing; 1,999 needs 1 more.
        var exact = PerpHedgeMath.Plan(Account(size: -5, equity: 2000, margin: 2000), 0, 0.2);
        Assert.Equal(BigInteger.Zero, exact.MarginDelta);
        Assert.True(exact.IsEmpty);
        Assert.Equal(200_000, exact.TargetMarginRatioPips);
        var shortBy = PerpHedgeMath.Plan(Account(size: -5, equity: 1999, margin: 1999), 0, 0.2);
        Assert.Equal(new BigInteger(1_000_000), shortBy.MarginDelta);
        Assert.False(shortBy.IsEmpty);
        Assert.Equal(new BigInteger(2_000_000_000), shortBy.EquityAfter);
        // Equity exactly twice the target: kept; above it: the excess over the target comes back, up to the margin held.
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.Plan(Account(size: -5, equity: 4000, margin: 4000), 0, 0.2).MarginDelta);
        var rich = PerpHedgeMath.Plan(Account(size: -5, equity: 5000, margin: 4500), 0, 0.2);
        Assert.Equal(new BigInteger(-3_000_000_000), rich.MarginDelta);
        var thin = PerpHedgeMath.Plan(Account(size: -5, equity: 5000, margin: 1000), 0, 0.2);
        Assert.Equal(new BigInteger(-1_000_000_000), thin.MarginDelta); // no trade: only the margin held can leave
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.Plan(Account(size: -5, equity: 5000, margin: -10), 0, 0.2).MarginDelta);
        // A trade settles the PnL into the margin: then the whole excess can leave.
        var traded = PerpHedgeMath.Plan(Account(size: -5, equity: 5000, margin: 1000), -0.000001, 0.2);
        Assert.True(traded.MarginDelta < -2_900_000_000);
        // The target never goes below the market's and policy's floor plus the safety margin: 0.1 + 0.01.
        Assert.Equal(110_000, PerpHedgeMath.Plan(Account(size: -5, equity: 5000, margin: 5000), 0, 0.01).TargetMarginRatioPips);
    }

    [Fact]
    public void The_treasury_limit_acts_only_past_the_limit_and_counts_its_pools()
    {
        var limits = new Dictionary<string, double> { ["T"] = 10 };
        PoolExposure<string> Pool(string id, double poolBase, double perp, bool hedged = true, double price = 100, double sigma = 0.05) =>
            new(id, "T", poolBase, perp, price, sigma, hedged, MaxShort: 100, MaxLong: 100);
        // Net exactly the limit: nothing to do, and it is not a breach.
        Assert.Empty(TreasuryRisk.Enforce([Pool("a", 10, 0)], limits).Trades);
        var risk = TreasuryRisk.Aggregate([Pool("a", 10, 0, price: 100, sigma: 0.04), Pool("b", 0, 0, price: 300, sigma: 0.08)], limits, z: 2, horizonDays: 4);
        var t = Assert.Single(risk);
        Assert.False(t.Breached);
        Assert.Equal(2, t.Pools);
        // VaR = z·σ̄·P̄·|net|·√H with σ̄ = 0.06, P̄ = 200: 2·0.06·200·10·2 = 480.
        Assert.Equal(480, t.ValueAtRisk, 9);
        Assert.True(TreasuryRisk.Aggregate([Pool("a", 10.5, 0)], limits, 2, 1)[0].Breached);
        Assert.True(double.IsNaN(TreasuryRisk.Aggregate([Pool("a", 10, 0, sigma: double.NaN)], limits, 2, 1)[0].ValueAtRisk));
        Assert.True(double.IsNaN(TreasuryRisk.Aggregate([Pool("a", 10, 0, sigma: double.PositiveInfinity)], limits, 2, 1)[0].ValueAtRisk));
        // Past it, short: the hedge buys back to 95% of the limit.
        var trades = TreasuryRisk.Enforce([Pool("a", -20, 0)], limits).Trades;
        Assert.Equal(10.5, Assert.Single(trades).SizeDelta, 9);
        // A pool whose room is exactly used up takes nothing; with no room at all the token is a breach.
        var none = TreasuryRisk.Enforce([Pool("a", 20, 0, hedged: false)], limits);
        Assert.Empty(none.Trades);
        Assert.Single(none.Breaches);
        Assert.Equal("limits", Assert.Throws<ArgumentOutOfRangeException>(() => TreasuryRisk.Enforce([Pool("a", 20, 0)], new Dictionary<string, double> { ["T"] = 0 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => TreasuryRisk.Enforce<string>(null!, limits));
        Assert.Throws<ArgumentNullException>(() => TreasuryRisk.Enforce([Pool("a", 1, 0)], null!));
        Assert.Throws<ArgumentNullException>(() => TreasuryRisk.Aggregate<string>(null!, limits, 2, 1));
        Assert.Throws<ArgumentNullException>(() => TreasuryRisk.Aggregate([Pool("a", 1, 0)], null!, 2, 1));
        // Trading exactly to the limit is not a breach: all the room (0.5 short of the 95% aim) leaves |net| = 10.
        var just = TreasuryRisk.Enforce([new PoolExposure<string>("a", "T", 10.5, 0, 100, 0.05, true, MaxShort: 0.5, MaxLong: 0)], limits);
        Assert.Empty(just.Breaches);
    }
}
