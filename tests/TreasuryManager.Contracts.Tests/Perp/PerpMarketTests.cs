using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Testing;
using static TreasuryManager.Contracts.Tests.Perp.PerpMath;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests.Perp;

/// <summary>
/// PerpMarket on the node, with MockAggregator mark and index feeds (8 decimals) on the deployment's base (18) and quote (6)
/// tokens. Expected figures come from <see cref="PerpMath"/> (the NatSpec formulas), never from the contract.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PerpMarketTests(LocalNodeFixture node) : NodeTest(node)
{
    private const int FeePips = 500, ImPips = 100_000, MmPips = 50_000, PenaltyPips = 20_000;
    private const int Interval = 3600, Heartbeat = 86_400;

    private sealed record Setup(TreasuryDeployer D, PerpMarket Market, MockAggregator Mark, MockAggregator? Index, long T0);

    private async Task<Setup> DeployAsync(BigInteger markAnswer, BigInteger fundingRateWad, BigInteger? indexAnswer = null)
    {
        var d = await TreasuryDeployment.DeployAsync(Node);
        var mark = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MARK", markAnswer);
        MockAggregator? index = indexAnswer is null ? null
            : await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "INDEX", indexAnswer.Value);
        var market = await PerpMarket.DeployAsync(d.Owner, d.Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            d.Quote.Address, d.Base.Address, mark.Address, index?.Address ?? Address.Zero, Heartbeat, Interval, fundingRateWad,
            FeePips, ImPips, MmPips, PenaltyPips));
        var t0 = (long)await market.LastFundingTimeAsync();
        await d.Quote.MintAsync(d.Owner, market.Address, d.QuoteUnits(1_000_000m));
        await d.Quote.MintAsync(d.Owner, d.Stranger.Address, d.QuoteUnits(100_000m));
        foreach (var s in new[] { d.Trader, d.Stranger })
            await d.Quote.ApproveAsync(s, market.Address, TreasuryDeployer.MaxUint256);
        return new Setup(d, market, mark, index, t0);
    }

    private static Task At(TreasuryDeployer d, long timestamp) => d.Rpc.CallAsync("evm_setNextBlockTimestamp", [timestamp]);

    [Fact]
    public async Task Funding_at_the_configured_rate_is_exact_to_the_wei_for_long_and_short_over_several_intervals()
    {
        BigInteger rate = 123_456_789_012; // 1.23456789012e-7 per interval: longs pay
        var s = await DeployAsync(213_456_789, rate);
        var (d, m) = (s.D, s.Market);
        var longSize = BigInteger.Parse("1234567890123456789012"); // 1,234.57 base
        var shortSize = -BigInteger.Parse("2345678901234567890123");
        var p0 = Price(213_456_789);

        await At(d, s.T0 + 60);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(10_000m));
        await m.DepositMarginAsync(d.Stranger, d.QuoteUnits(10_000m));
        var openLong = PerpMarket.TradedEvents(await m.TradeAsync(d.Trader, longSize)).Single();
        var openShort = PerpMarket.TradedEvents(await m.TradeAsync(d.Stranger, shortSize)).Single();
        Assert.Equal(Fee(longSize, p0, FeePips), openLong.Fee);
        Assert.Equal(Fee(shortSize, p0, FeePips), openShort.Fee);
        var longMargin = d.QuoteUnits(10_000m) - openLong.Fee;
        var shortMargin = d.QuoteUnits(10_000m) - openShort.Fee;
        Assert.Equal(new PerpMarket.Account(longMargin, longSize, Value(longSize, p0), 0), await m.AccountOfAsync(d.Trader.Address));

        // Interval 1, settled alone at mark 2.21234567.
        await At(d, s.T0 + Interval + 30);
        await s.Mark.SetAnswerAsync(d.Owner, 221_234_567);
        await At(d, s.T0 + Interval + 40);
        var settled1 = PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner)).Single();
        var p1 = Price(221_234_567);
        var f1 = PerInterval(rate, p1);
        Assert.Equal(new PerpMarket.FundingSettledEvent(1, rate, p1, f1, s.T0 + Interval), settled1);

        // Intervals 2 and 3, settled together by the long's next trade at mark 1.98765432.
        await At(d, s.T0 + 3 * Interval + 20);
        await s.Mark.SetAnswerAsync(d.Owner, 198_765_432);
        await At(d, s.T0 + 3 * Interval + 25);
        var p2 = Price(198_765_432);
        var f2 = f1 + 2 * PerInterval(rate, p2);
        BigInteger step = BigInteger.Pow(10, 18);
        var receipt = await m.TradeAsync(d.Trader, step);
        Assert.Equal(new PerpMarket.FundingSettledEvent(2, rate, p2, f2, s.T0 + 3 * Interval), PerpMarket.FundingSettledEvents(receipt).Single());
        var longPays = Payment(longSize, f2);
        Assert.True(longPays > 0);
        Assert.Equal(new PerpMarket.FundingPaidEvent(d.Trader.Address, longPays), PerpMarket.FundingPaidEvents(receipt).Single());
        var traded = PerpMarket.TradedEvents(receipt).Single();
        Assert.Equal(Value(longSize, p2) - Value(longSize, p0), traded.RealizedPnl);
        longMargin += -longPays + traded.RealizedPnl - Fee(step, p2, FeePips);
        Assert.Equal(new PerpMarket.Account(longMargin, longSize + step, Value(longSize + step, p2), f2), await m.AccountOfAsync(d.Trader.Address));

        // The short receives, rounded down, when a withdrawal settles it (no PnL is realised by a withdrawal).
        await At(d, s.T0 + 3 * Interval + 30);
        var withdraw = await m.WithdrawMarginAsync(d.Stranger, d.QuoteUnits(1m), d.Stranger.Address);
        var shortPays = Payment(shortSize, f2);
        Assert.True(shortPays < 0);
        Assert.Equal(new PerpMarket.FundingPaidEvent(d.Stranger.Address, shortPays), PerpMarket.FundingPaidEvents(withdraw).Single());
        Assert.Empty(PerpMarket.FundingSettledEvents(withdraw)); // same interval: nothing more to settle
        shortMargin += -shortPays - d.QuoteUnits(1m);
        Assert.Equal(new PerpMarket.Account(shortMargin, shortSize, Value(shortSize, p0), f2), await m.AccountOfAsync(d.Stranger.Address));
        // the rounding keeps the dust in the market: |receipt| = ⌊|size| · F / 1e36⌋, the payment is the ceiling
        Assert.Equal(BigInteger.Abs(shortSize) * f2 / E36, -shortPays);
        Assert.Equal(CeilDiv(longSize * f2, E36), longPays);

        // The view agrees with the stored account once settled, and predicts pending funding exactly.
        await At(d, s.T0 + 4 * Interval + 1);
        await s.Mark.SetAnswerAsync(d.Owner, 198_765_432);
        var view = await m.AccountViewAsync(d.Stranger.Address);
        var f3 = f2 + PerInterval(rate, p2);
        Assert.Equal(shortMargin - Payment(shortSize, f3 - f2), view.Margin);
        Assert.Equal(Value(shortSize, p2) - Value(shortSize, p0), view.UnrealizedPnl);
        Assert.Equal(view.Margin + view.UnrealizedPnl, view.Equity);
        Assert.Equal(BigInteger.Abs(Value(shortSize, p2)), view.Notional);
        Assert.Equal(Requirement(view.Notional, MmPips), view.MaintenanceMargin);
    }

    [Fact]
    public async Task Premium_funding_below_the_index_makes_shorts_pay_to_the_wei()
    {
        var s = await DeployAsync(199_000_000, 0, indexAnswer: 200_000_000);
        var (d, m) = (s.D, s.Market);
        var longSize = BigInteger.Parse("777777777777777777777");
        var shortSize = -BigInteger.Parse("555555555555555555555");
        await At(d, s.T0 + 60);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(5_000m));
        await m.DepositMarginAsync(d.Stranger, d.QuoteUnits(5_000m));
        await m.TradeAsync(d.Trader, longSize);
        await m.TradeAsync(d.Stranger, shortSize);
        var longBefore = (await m.AccountOfAsync(d.Trader.Address)).Margin;
        var shortBefore = (await m.AccountOfAsync(d.Stranger.Address)).Margin;

        // one interval at mark 1.99 / index 2.00, then three at once at mark 1.97654321 / index 1.99876543
        await At(d, s.T0 + Interval + 1);
        var first = PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner)).Single();
        var rate1 = PremiumRate(Price(199_000_000), Price(200_000_000));
        Assert.Equal(-5_000_000_000_000_000, (long)rate1); // −0.5%
        Assert.Equal(rate1, first.RateWad);
        var f1 = PerInterval(rate1, Price(199_000_000));
        Assert.Equal(f1, first.FundingIndex);

        await At(d, s.T0 + 4 * Interval + 10);
        await s.Mark.SetAnswerAsync(d.Owner, 197_654_321);
        await s.Index!.SetAnswerAsync(d.Owner, 199_876_543);
        await At(d, s.T0 + 4 * Interval + 20);
        var second = PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner)).Single();
        var p2 = Price(197_654_321);
        var rate2 = PremiumRate(p2, Price(199_876_543));
        var f2 = f1 + 3 * PerInterval(rate2, p2);
        Assert.Equal(new PerpMarket.FundingSettledEvent(3, rate2, p2, f2, s.T0 + 4 * Interval), second);

        // Each account is charged when it is next touched: a 1-unit withdrawal.
        var longPaid = PerpMarket.FundingPaidEvents(await m.WithdrawMarginAsync(d.Trader, 1, d.Trader.Address)).Single().Amount;
        var shortPaid = PerpMarket.FundingPaidEvents(await m.WithdrawMarginAsync(d.Stranger, 1, d.Stranger.Address)).Single().Amount;
        Assert.Equal(Payment(longSize, f2), longPaid);
        Assert.Equal(Payment(shortSize, f2), shortPaid);
        Assert.True(longPaid < 0 && shortPaid > 0); // longs receive, shorts pay
        Assert.Equal(longBefore - longPaid - 1, (await m.AccountOfAsync(d.Trader.Address)).Margin);
        Assert.Equal(shortBefore - shortPaid - 1, (await m.AccountOfAsync(d.Stranger.Address)).Margin);
        Assert.Equal(Price(199_876_543), await m.IndexPriceAsync());
    }

    [Fact]
    public async Task Equal_and_opposite_positions_leave_exactly_the_rounding_dust_in_the_market()
    {
        BigInteger rate = 333_333_333_333; // per-interval funding not a multiple of 1e36 / size
        var s = await DeployAsync(200_000_001, rate);
        var (d, m) = (s.D, s.Market);
        var size = BigInteger.Parse("1000000000000000000007");
        await At(d, s.T0 + 60);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(1_000m));
        await m.DepositMarginAsync(d.Stranger, d.QuoteUnits(1_000m));
        await m.TradeAsync(d.Trader, size);
        await m.TradeAsync(d.Stranger, -size);
        await At(d, s.T0 + 2 * Interval + 1);
        await m.SettleFundingAsync(d.Owner);
        var f = 2 * PerInterval(rate, Price(200_000_001));
        Assert.Equal(f, await m.FundingIndexAsync());
        var longPaid = PerpMarket.FundingPaidEvents(await m.WithdrawMarginAsync(d.Trader, 1, d.Trader.Address)).Single().Amount;
        var shortPaid = PerpMarket.FundingPaidEvents(await m.WithdrawMarginAsync(d.Stranger, 1, d.Stranger.Address)).Single().Amount;
        Assert.NotEqual(BigInteger.Zero, size * f % E36); // the product does not divide: there is dust
        Assert.Equal(CeilDiv(size * f, E36), longPaid);
        Assert.Equal(-(size * f / E36), shortPaid);
        Assert.Equal(BigInteger.One, longPaid + shortPaid); // the long paid one unit more than the short received
    }

    [Fact]
    public async Task Closing_an_underwater_position_oneself_writes_the_deficit_off_as_bad_debt()
    {
        var s = await DeployAsync(200_000_000, 0);
        var (d, m) = (s.D, s.Market);
        var size = d.BaseUnits(1_000m);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(250m));
        await m.TradeAsync(d.Trader, size);
        await s.Mark.SetAnswerAsync(d.Owner, 170_000_000);
        var receipt = await m.TradeAsync(d.Trader, -size); // a reduction: allowed whatever the equity
        var deficit = -(d.QuoteUnits(250m) - Fee(size, Price(200_000_000), FeePips) + Value(size, Price(170_000_000)) - Value(size, Price(200_000_000))
            - Fee(size, Price(170_000_000), FeePips));
        Assert.Equal(d.QuoteUnits(51m + 0.85m), deficit);
        Assert.Equal(new PerpMarket.BadDebtEvent(d.Trader.Address, deficit), PerpMarket.BadDebtEvents(receipt).Single());
        Assert.Equal(deficit, await m.BadDebtAsync());
        Assert.Equal(new PerpMarket.Account(0, 0, 0, 0), await m.AccountOfAsync(d.Trader.Address));
        Assert.Equal(Fee(size, Price(200_000_000), FeePips) + Fee(size, Price(170_000_000), FeePips), await m.FeesCollectedAsync());
    }

    [Fact]
    public async Task Liquidation_closes_at_mark_pays_the_penalty_and_records_bad_debt_when_equity_is_negative()
    {
        var s = await DeployAsync(200_000_000, 0);
        var (d, m) = (s.D, s.Market);
        var size = d.BaseUnits(1_000m);
        var p0 = Price(200_000_000);
        // two longs with 250 quote each (initial margin 200)
        await d.Quote.MintAsync(d.Owner, d.Reporter.Address, d.QuoteUnits(1_000m));
        await d.Quote.ApproveAsync(d.Reporter, m.Address, TreasuryDeployer.MaxUint256);
        foreach (var trader in new[] { d.Trader, d.Reporter })
        {
            await m.DepositMarginAsync(trader, d.QuoteUnits(250m));
            await m.TradeAsync(trader, size);
        }
        var margin0 = d.QuoteUnits(250m) - Fee(size, p0, FeePips);

        // Above maintenance: refused, naming equity and maintenance.
        var refused = await Reverts.ExpectAsync(PerpMarket.Errors.NotLiquidatable, () => m.LiquidateAsync(d.Keeper, d.Trader.Address));
        Assert.Equal(margin0, refused.Arg("equity"));
        Assert.Equal(Requirement(Value(size, p0), MmPips), refused.Arg("maintenanceMargin"));

        // Mark 1.80: equity 49.0 < maintenance 90 — liquidated, penalty 2% of 1,800 = 36 to the keeper.
        await s.Mark.SetAnswerAsync(d.Owner, 180_000_000);
        var p1 = Price(180_000_000);
        var keeperBefore = await d.Quote.BalanceOfAsync(d.Keeper.Address);
        var liq = PerpMarket.LiquidatedEvents(await m.LiquidateAsync(d.Keeper, d.Trader.Address)).Single();
        var pnl = Value(size, p1) - Value(size, p0);
        var equity = margin0 + pnl;
        Assert.True(equity > 0 && equity < Requirement(Value(size, p1), MmPips));
        var penalty = BigInteger.Min(Value(size, p1) * PenaltyPips / Pips, equity);
        Assert.Equal(d.QuoteUnits(36m), penalty);
        Assert.Equal(new PerpMarket.LiquidatedEvent(d.Trader.Address, d.Keeper.Address, size, p1, pnl, penalty, 0), liq);
        Assert.Equal(keeperBefore + penalty, await d.Quote.BalanceOfAsync(d.Keeper.Address));
        Assert.Equal(new PerpMarket.Account(equity - penalty, 0, 0, 0), await m.AccountOfAsync(d.Trader.Address));
        await Reverts.ExpectAsync(PerpMarket.Errors.NotLiquidatable, () => m.LiquidateAsync(d.Keeper, d.Trader.Address));
        // what is left of the margin can leave
        await m.WithdrawMarginAsync(d.Trader, equity - penalty, d.Trader.Address);

        // Mark 1.70: the second long's equity is −51: no penalty, 51 quote of bad debt recorded.
        await s.Mark.SetAnswerAsync(d.Owner, 170_000_000);
        var p2 = Price(170_000_000);
        var receipt = await m.LiquidateAsync(d.Keeper, d.Reporter.Address);
        var deficit = -(margin0 + Value(size, p2) - Value(size, p0));
        Assert.Equal(d.QuoteUnits(51m), deficit);
        Assert.Equal(new PerpMarket.LiquidatedEvent(d.Reporter.Address, d.Keeper.Address, size, p2, Value(size, p2) - Value(size, p0), 0, deficit),
            PerpMarket.LiquidatedEvents(receipt).Single());
        Assert.Equal(new PerpMarket.BadDebtEvent(d.Reporter.Address, deficit), PerpMarket.BadDebtEvents(receipt).Single());
        Assert.Equal(deficit, await m.BadDebtAsync());
        Assert.Equal(new PerpMarket.Account(0, 0, 0, 0), await m.AccountOfAsync(d.Reporter.Address));
        Assert.Equal(keeperBefore + penalty, await d.Quote.BalanceOfAsync(d.Keeper.Address));
    }

    [Fact]
    public async Task Margin_can_leave_only_down_to_the_initial_margin_while_a_position_is_open()
    {
        var s = await DeployAsync(200_000_000, 0);
        var (d, m) = (s.D, s.Market);
        var size = -d.BaseUnits(1_000m); // short 2,000 quote: initial margin 200
        var p = Price(200_000_000);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(300m));
        // opening beyond the initial margin is refused
        var tooBig = await Reverts.ExpectAsync(PerpMarket.Errors.BelowInitialMargin, () => m.TradeAsync(d.Trader, size * 2));
        Assert.Equal(Requirement(BigInteger.Abs(Value(size * 2, p)), ImPips), tooBig.Arg("initialMargin"));
        await m.TradeAsync(d.Trader, size);
        var margin = d.QuoteUnits(300m) - Fee(size, p, FeePips);
        var im = Requirement(BigInteger.Abs(Value(size, p)), ImPips);
        Assert.Equal(d.QuoteUnits(200m), im);

        var excess = margin - im;
        var below = await Reverts.ExpectAsync(PerpMarket.Errors.BelowInitialMargin, () => m.WithdrawMarginAsync(d.Trader, excess + 1, d.Trader.Address));
        Assert.Equal(im - 1, below.Arg("equity"));
        Assert.Equal(im, below.Arg("initialMargin"));
        var before = await d.Quote.BalanceOfAsync(d.Trader.Address);
        await m.WithdrawMarginAsync(d.Trader, excess, d.Trader.Address);
        Assert.Equal(before + excess, await d.Quote.BalanceOfAsync(d.Trader.Address));
        Assert.Equal(im, (await m.AccountOfAsync(d.Trader.Address)).Margin);

        // a reduction is always allowed; once flat, only the margin itself bounds a withdrawal
        await m.TradeAsync(d.Trader, -size);
        var flat = await m.AccountOfAsync(d.Trader.Address);
        Assert.Equal(im - Fee(size, p, FeePips), flat.Margin);
        var over = await Reverts.ExpectAsync(PerpMarket.Errors.InsufficientMargin, () => m.WithdrawMarginAsync(d.Trader, flat.Margin + 1, d.Trader.Address));
        Assert.Equal(flat.Margin, over.Arg("margin"));
        await m.WithdrawMarginAsync(d.Trader, flat.Margin, d.Trader.Address);
        Assert.Equal(BigInteger.Zero, (await m.AccountOfAsync(d.Trader.Address)).Margin);
    }

    [Fact]
    public async Task A_stale_mark_reverts_with_StalePrice_naming_the_feed_and_a_flat_account_can_still_withdraw()
    {
        var s = await DeployAsync(200_000_000, 0);
        var (d, m) = (s.D, s.Market);
        await m.DepositMarginAsync(d.Trader, d.QuoteUnits(500m));
        await m.DepositMarginAsync(d.Stranger, d.QuoteUnits(500m));
        await m.TradeAsync(d.Stranger, d.BaseUnits(100m));
        var now = await d.LatestTimestampAsync();
        var updatedAt = now - Heartbeat - 1;
        await s.Mark.SetRoundAsync(d.Owner, 200_000_000, updatedAt);

        foreach (var action in new Func<Task>[]
                 {
                     () => m.TradeAsync(d.Trader, d.BaseUnits(1m)),
                     () => m.SettleFundingAsync(d.Owner),
                     () => m.LiquidateAsync(d.Keeper, d.Stranger.Address),
                     () => m.WithdrawMarginAsync(d.Stranger, 1, d.Stranger.Address),
                     () => m.MarkPriceAsync(),
                 })
        {
            var reason = await Reverts.ExpectAsync(PerpMarket.Errors.StalePrice, action);
            Assert.Equal(s.Mark.Address, (Address)reason.Arguments["feed"]!);
            Assert.Equal(new BigInteger(updatedAt), reason.Arg("updatedAt"));
            Assert.Equal(new BigInteger(Heartbeat), reason.Arg("heartbeat"));
        }
        // no position: no price is read
        await m.WithdrawMarginAsync(d.Trader, d.QuoteUnits(500m), d.Trader.Address);

        await s.Mark.SetAnswerAsync(d.Owner, 0);
        var nonPositive = await Reverts.ExpectAsync(PerpMarket.Errors.NonPositivePrice, () => m.TradeAsync(d.Stranger, -d.BaseUnits(100m)));
        Assert.Equal(BigInteger.Zero, nonPositive.Arg("answer"));
    }
}
