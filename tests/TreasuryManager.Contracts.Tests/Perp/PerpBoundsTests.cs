using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using static TreasuryManager.Contracts.Tests.Perp.PerpMath;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests.Perp;

/// <summary>
/// PerpMarket's known defects, fixed: prices of real pairs (6–18 decimals, 1e-8..1e8) beyond the old 2^128 limit at ×1e36
/// scale, the funding premium clamped, and a stale index no longer blocking trades (the owner's closeHedge exit).
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PerpBoundsTests(LocalNodeFixture node) : NodeTest(node)
{
    private const int FeePips = 500, ImPips = 100_000, MmPips = 50_000, PenaltyPips = 20_000, Interval = 3600, Heartbeat = 86_400;

    private static PerpMarket.MarketParams Params(TreasuryDeployer d, Address mark, Address index, BigInteger? rate = null) =>
        new(d.Quote.Address, d.Base.Address, mark, index, Heartbeat, Interval, rate ?? 0, FeePips, ImPips, MmPips, PenaltyPips);

#pragma warning disable xUnit1026 // price: the human figure, for the test's name
    [Theory]
    [InlineData(18, 18, "2000", 200_000_000_000)]      // 2,000 DAI per 18-decimal token: p = 2e39 > 2^128 (refused before)
    [InlineData(6, 18, "100000000", 10_000_000_000_000_000)] // 1e8 quote (18 dec.) per 6-dec. base: p = 1e56
    [InlineData(18, 6, "0.00000001", 1)]                // 1e-8 quote (6 dec.) per 18-dec. base: p = 1e16
    public async Task Real_pairs_trade_at_their_prices_exactly(int baseDecimals, int quoteDecimals, string price, long answer)
#pragma warning restore xUnit1026
    {
        // tokens of their own (no pool: ManagedPool's sqrt prices end at 2^128, below some of these pairs)
        var d = await TreasuryDeployment.DeployAsync(Node);
        var baseToken = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Base", "B", baseDecimals);
        var quoteToken = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Quote", "Q", quoteDecimals);
        var mark = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MARK", answer);
        var m = await PerpMarket.DeployAsync(d.Owner, d.Artifact(PerpMarket.ArtifactName),
            Params(d, mark.Address, Address.Zero) with { QuoteToken = quoteToken.Address, BaseToken = baseToken.Address });
        var p = Price(answer, quoteDecimals, baseDecimals);
        Assert.Equal(p, await m.MarkPriceAsync());

        // a long of 1,000 quote notional with 200 quote margin
        var quoteUnit = BigInteger.Pow(10, quoteDecimals);
        var size = 1_000 * quoteUnit * E36 / p;
        await quoteToken.MintAsync(d.Owner, d.Trader.Address, 1_000 * quoteUnit);
        await quoteToken.MintAsync(d.Owner, m.Address, 1_000 * quoteUnit);
        await quoteToken.ApproveAsync(d.Trader, m.Address, TreasuryDeployer.MaxUint256);
        await m.DepositMarginAsync(d.Trader, 200 * quoteUnit);
        var traded = Assert.Single(PerpMarket.TradedEvents(await m.TradeAsync(d.Trader, size)));
        Assert.Equal(Fee(size, p, FeePips), traded.Fee);
        Assert.Equal(new PerpMarket.Account(200 * quoteUnit - traded.Fee, size, Value(size, p), 0), await m.AccountOfAsync(d.Trader.Address));
        var view = await m.AccountViewAsync(d.Trader.Address);
        Assert.InRange(view.Notional, 999 * quoteUnit, 1_000 * quoteUnit);
        // and a short of the same size, rounded toward −∞
        var shorted = Assert.Single(PerpMarket.TradedEvents(await m.TradeAsync(d.Trader, -2 * size)));
        Assert.Equal(Value(-size, p), (await m.AccountOfAsync(d.Trader.Address)).OpenNotional);
        Assert.Equal(Fee(2 * size, p, FeePips), shorted.Fee);
    }

    [Fact]
    public async Task The_funding_premium_is_clamped_to_the_maximum_rate()
    {
        // mark 3.0 against index 2.0: a 50% premium per interval, clamped to 5%
        var d = await TreasuryDeployment.DeployAsync(Node);
        var mark = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MARK", 300_000_000);
        var index = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "INDEX", 200_000_000);
        var m = await PerpMarket.DeployAsync(d.Owner, d.Artifact(PerpMarket.ArtifactName), Params(d, mark.Address, index.Address));
        var max = await m.MAX_FUNDING_RATE_WADAsync();
        Assert.Equal(BigInteger.Pow(10, 16) * 5, max);
        await d.IncreaseTimeAsync(Interval);
        await mark.SetUpdatedAtAsync(d.Owner, await d.LatestTimestampAsync());
        await index.SetUpdatedAtAsync(d.Owner, await d.LatestTimestampAsync());
        var settled = Assert.Single(PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner)));
        Assert.Equal(max, settled.RateWad);
        Assert.Equal(PerInterval(max, Price(300_000_000)), settled.FundingIndex);

        // and the other way: mark 1.0 against 2.0 is −50%, clamped to −5%
        await mark.SetAnswerAsync(d.Owner, 100_000_000);
        await d.IncreaseTimeAsync(Interval);
        await mark.SetUpdatedAtAsync(d.Owner, await d.LatestTimestampAsync());
        await index.SetUpdatedAtAsync(d.Owner, await d.LatestTimestampAsync());
        settled = Assert.Single(PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner)));
        Assert.Equal(-max, settled.RateWad);
    }

    [Fact]
    public async Task A_stale_index_does_not_block_the_owners_closeHedge()
    {
        // The vault's hedge market marks at the oracle's feed and funds on a premium over an index feed that goes stale.
        var d = await TreasuryDeployment.DeployAsync(Node);
        var index = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "INDEX", 200_000_000);
        var m = await PerpMarket.DeployAsync(d.Owner, d.Artifact(PerpMarket.ArtifactName), Params(d, d.PriceFeed, index.Address) with { Heartbeat = 3600 });
        await d.Quote.MintAsync(d.Owner, m.Address, d.QuoteUnits(100_000m));
        await d.Quote.MintAsync(d.Owner, d.Vault.Address, d.QuoteUnits(20_000m));
        await d.Vault.SetHedgePolicyAsync(d.Owner, d.Pool.Address, new TreasuryVault.HedgePolicy(m.Address, d.QuoteUnits(50_000m), 150_000));
        await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, -d.BaseUnits(10_000m), d.QuoteUnits(5_000m));
        var lastFunding = await m.LastFundingTimeAsync();

        // two intervals later: the mark is fresh, the index is not
        await d.IncreaseTimeAsync(2 * Interval + 10);
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);
        await Assert.ThrowsAnyAsync<Exception>(() => m.IndexPriceAsync());
        var ownerBefore = await d.Quote.BalanceOfAsync(d.Owner.Address);
        var closed = Assert.Single(TreasuryVault.HedgeClosedEvents(await d.Vault.CloseHedgeAsync(d.Owner, d.Pool.Address)));
        Assert.Equal(d.BaseUnits(10_000m), closed.ClosedSize);
        Assert.Equal(ownerBefore + closed.Margin, await d.Quote.BalanceOfAsync(d.Owner.Address));
        Assert.Equal(new PerpMarket.Account(0, 0, 0, 0), await m.AccountOfAsync(d.Vault.Address));
        // the intervals wait for a fresh index: nothing was settled
        Assert.Equal(lastFunding, await m.LastFundingTimeAsync());
        await index.SetUpdatedAtAsync(d.Owner, await d.LatestTimestampAsync());
        Assert.Equal(new BigInteger(2), Assert.Single(PerpMarket.FundingSettledEvents(await m.SettleFundingAsync(d.Owner))).Intervals);
    }
}
