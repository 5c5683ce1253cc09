using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// InMemoryPerp{TAccount} against figures worked out by hand from PerpMarket's NatSpec (18-decimal tokens, prices × 1e36):
/// fee = ceil(floor(|Δ|·p/1e36)·500/1e6), funding per interval = trunc(rate·p/1e18), payment = ceil(size·Δindex/1e36).
/// </summary>
public sealed class InMemoryPerpTests
{
    private const string Short = "short";
    private const string Long = "long";
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    private static readonly BigInteger E36 = BigInteger.Pow(10, 36);
    private const long T0 = 1_000_000, Interval = 3600;
    private static readonly BigInteger Size = E18 + 1; // one base and a wei: every rounding shows

    private static InMemoryPerp<string> Open(bool premium, BigInteger rateWad, out BigInteger fee)
    {
        var perp = new InMemoryPerp<string>(new PerpParams(rateWad, Interval, 500, 100_000, 50_000, 20_000, premium), T0);
        var at = new PerpTick(T0 + 10, 2000 * E36, 2000 * E36);
        perp.DepositMargin(Short, 1000 * E18);
        perp.DepositMargin(Long, 1000 * E18);
        fee = perp.Trade(Short, -Size, at);
        Assert.Equal(fee, perp.Trade(Long, Size, at));
        return perp;
    }

    [Fact]
    public void Rate_mode_funding_is_exact_to_the_wei_the_payer_rounding_up_and_the_receiver_down()
    {
        var perp = Open(premium: false, rateWad: BigInteger.Pow(10, 14), out var fee);
        // floor((1e18 + 1)·2000) = 2000e18 + 2000; ·500/1e6 = 1e18 + 1 exactly
        Assert.Equal(BigInteger.Parse("1000000000000000001"), fee);
        Assert.Equal(new PerpAccount(1000 * E18 - fee, -Size, -(2000 * E18 + 2000), 0), perp.AccountOf(Short));

        // two intervals settled at once at mark 2000.12345678 (feed answer 200012345678, 8 decimals → ·1e28)
        // (these hand figures use an 18-decimal quote and so prices above 2^128, which PerpMarket's feed reading refuses;
        // the formulas do not care: with the simulation's 6-decimal quote the same answer is ·1e16)
        var p1 = BigInteger.Parse("200012345678") * BigInteger.Pow(10, 28);
        Assert.Equal(BigInteger.Parse("200012345678") * BigInteger.Pow(10, 16), InMemoryPerp.Price(200_012_345_678, 8, 18, 6));
        Assert.StartsWith("NonPositivePrice", Assert.Throws<PerpRevertException>(() => InMemoryPerp.Price(200_012_345_678, 8, 18, 18)).Error);
        Assert.StartsWith("NonPositivePrice", Assert.Throws<PerpRevertException>(() => InMemoryPerp.Price(0, 8)).Error);
        var tick = new PerpTick(T0 + 2 * Interval + 5, p1, p1);
        Assert.Equal(2, perp.SettleFunding(tick));
        // per interval trunc(1e14·p1/1e18) = p1/1e4 = 2.00012345678e35; the index moves by twice that
        var index = BigInteger.Parse("400024691356") * BigInteger.Pow(10, 24);
        Assert.Equal(index, perp.FundingIndex);
        Assert.Equal(T0 + 2 * Interval, perp.LastFundingTime);
        Assert.Equal(BigInteger.Zero, perp.SettleFunding(tick with { Timestamp = T0 + 3 * Interval - 1 })); // no whole interval yet

        // the long pays ceil((1e18+1)·index/1e36) = ceil(400024691356000000.400…) = …001, the short receives the floor
        var longPays = BigInteger.Parse("400024691356000001");
        var shortGets = BigInteger.Parse("400024691356000000");
        Assert.Equal(longPays, perp.PendingFunding(Long, tick));
        Assert.Equal(-shortGets, perp.PendingFunding(Short, tick));
        perp.WithdrawMargin(Short, 1, tick); // settles the account
        perp.WithdrawMargin(Long, 1, tick);
        Assert.Equal(1000 * E18 - fee + shortGets - 1, perp.AccountOf(Short).Margin);
        Assert.Equal(1000 * E18 - fee - longPays - 1, perp.AccountOf(Long).Margin);
        Assert.Equal(-shortGets, perp.Totals(Short).FundingPaid);
        Assert.Equal(longPays, perp.Totals(Long).FundingPaid);
        Assert.Equal(index, perp.AccountOf(Short).FundingIndex);
        Assert.Equal(2 * fee, perp.FeesCollected);

        // the short's equity at p1: margin + floor(−(1e18+1)·p1/1e36) − openNotional
        var v = perp.View(Short, tick);
        var value = -BigInteger.Parse("2000123456780000002001"); // −(2000.12345678e18 + 2000.12345678) rounded toward −∞
        Assert.Equal(value + 2000 * E18 + 2000, v.UnrealizedPnl);
        Assert.Equal(v.Margin + v.UnrealizedPnl, v.Equity);
        Assert.Equal(BigInteger.Parse("200012345678000000201"), v.InitialMargin); // ceil(2000123456780000002001·0.1)
    }

    [Fact]
    public void Premium_mode_charges_the_mark_over_index_premium_so_a_discount_makes_shorts_pay()
    {
        var perp = Open(premium: true, rateWad: 0, out var fee);
        var before = perp.AccountOf(Short).Margin;
        // mark 1999 under index 2000: rate trunc(−1e36·1e18/2000e36) = −5e14; per interval trunc(−5e14·1999e36/1e18) = −9.995e35
        var tick = new PerpTick(T0 + 3 * Interval, 1999 * E36, 2000 * E36);
        Assert.Equal(BigInteger.Parse("-500000000000000"), perp.FundingRate(tick.Mark, tick.Index));
        Assert.Equal(3, perp.SettleFunding(tick));
        Assert.Equal(BigInteger.Parse("-2998500000000000000000000000000000000"), perp.FundingIndex);
        perp.WithdrawMargin(Short, 1, tick);
        perp.WithdrawMargin(Long, 1, tick);
        // the short pays ceil((1e18+1)·2.9985e36/1e36) = 2998500000000000003 (2.9985 rounded up); the long gets …002
        Assert.Equal(BigInteger.Parse("2998500000000000003"), perp.Totals(Short).FundingPaid);
        Assert.Equal(BigInteger.Parse("-2998500000000000002"), perp.Totals(Long).FundingPaid);
        Assert.Equal(before - BigInteger.Parse("2998500000000000003") - 1, perp.AccountOf(Short).Margin);
        Assert.Equal(1000 * E18 - fee + BigInteger.Parse("2998500000000000002") - 1, perp.AccountOf(Long).Margin);
    }

    [Fact]
    public void A_call_the_contract_would_revert_leaves_the_state_unchanged_and_liquidation_takes_the_penalty()
    {
        var perp = Open(premium: false, rateWad: BigInteger.Pow(10, 14), out _);
        var tick = new PerpTick(T0 + Interval + 1, 2000 * E36, 2000 * E36);
        // withdrawing below the initial margin reverts, and the funding it settled first is rolled back with it
        var e = Assert.Throws<PerpRevertException>(() => perp.WithdrawMargin(Short, 900 * E18, tick));
        Assert.StartsWith("BelowInitialMargin", e.Error);
        Assert.Equal(BigInteger.Zero, perp.FundingIndex);
        Assert.Equal(T0, perp.LastFundingTime);
        Assert.Throws<PerpRevertException>(() => perp.Liquidate(Short, tick));

        // the mark rises 50%: the short has lost more than its margin; liquidation closes it and writes off the deficit
        var up = tick with { Mark = 3000 * E36 };
        var view = perp.View(Short, up);
        Assert.True(view.Equity < view.MaintenanceMargin);
        var (penalty, deficit) = perp.Liquidate(Short, up);
        Assert.Equal(BigInteger.Zero, penalty);
        Assert.Equal(-view.Equity, deficit);
        Assert.Equal(deficit, perp.BadDebt);
        Assert.Equal(new PerpAccount(0, 0, 0, perp.FundingIndex), perp.AccountOf(Short));

        // a long just under maintenance pays the penalty floor(notional·2%) out of its equity
        var down = tick with { Timestamp = T0 + Interval + 2, Mark = 1050 * E36 };
        var lv = perp.View(Long, down);
        Assert.True(lv.Equity < lv.MaintenanceMargin && lv.Equity > 0, $"equity {lv.Equity}, maintenance {lv.MaintenanceMargin}");
        var (p2, d2) = perp.Liquidate(Long, down);
        Assert.Equal(BigInteger.Min(lv.Notional * 20_000 / 1_000_000, lv.Equity), p2);
        Assert.Equal(BigInteger.Zero, d2);
        Assert.Equal(lv.Equity - p2, perp.AccountOf(Long).Margin);
        Assert.Equal(1, perp.Totals(Long).Liquidations);
    }
}
