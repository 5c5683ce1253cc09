using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// The real PerpMarket on a node and <see cref="InMemoryPerp{TAccount}"/> driven side by side along a path: the mark feed
/// follows the path's oracle price (and, in premium mode, the index feed its reference price), every transaction
/// lands in a block stamped at the path's time (evm_setNextBlockTimestamp, as OnChainRun does), and the same call runs
/// in memory at that block's time and prices. After every call the accounts, the funding index and time, the fees and
/// the bad debt agree to the wei; after every step the accountView (equity, pending funding) does; at the end the
/// funding each account paid (FundingPaid events), its fees (Traded events) and its liquidations do.
/// </summary>
[Collection(SimulationNodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PerpParityTests(LocalNodeFixture node) : IAsyncLifetime
{
    private const int FeePips = 500, ImPips = 20_000, MmPips = 15_000, PenaltyPips = 10_000, Interval = 900, Steps = 72;
    private static readonly BigInteger RateWad = 12_345_678_901_234; // 1.23e-5 per interval: longs pay
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    private static readonly BigInteger Q = BigInteger.Pow(10, HedgedStrategy.QuoteDecimals); // one quote
    private string _snapshot = "";

    public async Task InitializeAsync() => _snapshot = await node.SnapshotAsync();

    public Task DisposeAsync() => node.RevertAsync(_snapshot);

    /// <summary>The first volatile path whose oracle price dips 1.5% under its first step's within the run (so the leveraged long is liquidated).</summary>
    private static MarketPath DippingPath()
    {
        var s = TestScenarios.Short("volatile", Steps);
        for (var i = 0; i < 200; i++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed(11, i));
            if (path.OraclePrice.Skip(2).Min() < 0.985 * path.OraclePrice[1]) return path;
        }
        throw new InvalidOperationException("no volatile path dips 1.5% in 72 steps among 200 seeds");
    }

    private sealed class Side(PerpMarket chain, InMemoryPerp<Address> memory, EthClient eth)
    {
        public PerpMarket Chain { get; } = chain;
        public InMemoryPerp<Address> Memory { get; } = memory;
        public long Now { get; set; }
        public BigInteger Mark { get; set; }
        public BigInteger Index { get; set; }
        public PerpTick Tick => new(Now, Mark, Index);
        public Dictionary<Address, BigInteger> FundingPaid { get; } = [];
        public Dictionary<Address, BigInteger> Fees { get; } = [];
        public Dictionary<Address, int> Liquidations { get; } = [];

        /// <summary>Sends one transaction in a block stamped max(latest + 1, <paramref name="notBefore"/>) and records its events.</summary>
        public async Task<ContractReceipt> SendAsync(long notBefore, Func<Task<ContractReceipt>> send)
        {
            Now = Math.Max(Now + 1, notBefore);
            await eth.Rpc.CallAsync("evm_setNextBlockTimestamp", [Now]);
            var r = await send();
            Assert.True(r.Receipt.Succeeded);
            Assert.Equal(Now, (await eth.GetBlockAsync(BlockTag.Number(r.Receipt.BlockNumber))).Timestamp.ToUnixTimeSeconds());
            foreach (var e in PerpMarket.FundingPaidEvents(r)) FundingPaid[e.Account] = FundingPaid.GetValueOrDefault(e.Account) + e.Amount;
            foreach (var e in PerpMarket.TradedEvents(r)) Fees[e.Account] = Fees.GetValueOrDefault(e.Account) + e.Fee;
            foreach (var e in PerpMarket.LiquidatedEvents(r)) Liquidations[e.Account] = Liquidations.GetValueOrDefault(e.Account) + 1;
            return r;
        }

        public async Task AssertSameAsync(IEnumerable<Address> accounts, string when)
        {
            Assert.True(Memory.FundingIndex == await Chain.FundingIndexAsync(), $"{when}: funding index");
            Assert.True(Memory.LastFundingTime == await Chain.LastFundingTimeAsync(), $"{when}: last funding time");
            Assert.True(Memory.FeesCollected == await Chain.FeesCollectedAsync(), $"{when}: fees collected");
            Assert.True(Memory.BadDebt == await Chain.BadDebtAsync(), $"{when}: bad debt");
            foreach (var a in accounts)
            {
                var onChain = await Chain.AccountOfAsync(a);
                Assert.True(Memory.AccountOf(a) == new PerpAccount(onChain.Margin, onChain.Size, onChain.OpenNotional, onChain.FundingIndex), $"{when}: account {a}: memory {Memory.AccountOf(a)}, chain {onChain}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_in_memory_perp_matches_PerpMarket_to_the_wei_along_a_path(bool premium)
    {
        var path = DippingPath();
        var d = await TreasuryDeployer.DeployAsync(node.Eth, node.RepositoryRoot, DevAccounts.Key, new TreasuryDeploymentSettings { BaseDecimals = 18, QuoteDecimals = HedgedStrategy.QuoteDecimals });
        var answer = OnChain.OnChainRun.FeedAnswer(path.OraclePrice[0]);
        var markFeed = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MARK", answer);
        MockAggregator? indexFeed = premium ? await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "INDEX", OnChain.OnChainRun.FeedAnswer(path.Reference[0])) : null;
        var chain = await PerpMarket.DeployAsync(d.Owner, d.Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            d.Quote.Address, d.Base.Address, markFeed.Address, indexFeed?.Address ?? Address.Zero, 86_400, Interval, premium ? 0 : RateWad,
            FeePips, ImPips, MmPips, PenaltyPips));
        var (a, b) = (d.Trader, d.Stranger);
        await d.Quote.MintAsync(d.Owner, chain.Address, 1_000_000 * Q);
        foreach (var s in new[] { a, b })
        {
            await d.Quote.MintAsync(d.Owner, s.Address, 1_000_000 * Q);
            await d.Quote.ApproveAsync(s, chain.Address, TreasuryDeployer.MaxUint256);
        }
        var deployedAt = (long)await chain.LastFundingTimeAsync();
        var memory = new InMemoryPerp<Address>(new PerpParams(premium ? 0 : RateWad, Interval, FeePips, ImPips, MmPips, PenaltyPips, premium), deployedAt);
        var latest = (await node.Eth.GetBlockAsync()).Timestamp.ToUnixTimeSeconds();
        var side = new Side(chain, memory, node.Eth) { Now = latest };
        Address[] accounts = [a.Address, b.Address];
        var offset = Math.Max(0, latest + 60 - path.Timestamp(0)); // the path's clock, after whatever the node's is
        var withdrawals = 0;

        for (var t = 1; t <= path.Steps; t++)
        {
            var at = path.Timestamp(t) + offset;
            var mark = OnChain.OnChainRun.FeedAnswer(path.OraclePrice[t]);
            await side.SendAsync(at, () => markFeed.SetAnswerAsync(d.Owner, mark));
            side.Mark = InMemoryPerp.Price(mark, 8, 18, HedgedStrategy.QuoteDecimals);
            if (indexFeed is not null)
            {
                var index = OnChain.OnChainRun.FeedAnswer(path.Reference[t]);
                await side.SendAsync(at, () => indexFeed.SetAnswerAsync(d.Owner, index));
                side.Index = InMemoryPerp.Price(index, 8, 18, HedgedStrategy.QuoteDecimals);
            }
            else
            {
                side.Index = side.Mark;
            }

            // A: a short that follows −5·(1 + 0.3·sin t) base (plus t wei, so every rounding shows), margin 5,000
            if (t == 1)
            {
                await side.SendAsync(at, () => chain.DepositMarginAsync(a, 5_000 * Q));
                memory.DepositMargin(a.Address, 5_000 * Q);
            }
            var target = -new BigInteger(5e18 * (1 + 0.3 * Math.Sin(t))) + t;
            var delta = target - memory.AccountOf(a.Address).Size;
            if (t % 2 == 1 && !delta.IsZero)
            {
                await side.SendAsync(at, () => chain.TradeAsync(a, delta));
                memory.Trade(a.Address, delta, side.Tick);
                await side.AssertSameAsync(accounts, $"step {t}: A trades {delta}");
            }

            // B: a long of 12 base on 600 quote (IM 2%, MM 1.5%): a 1% fall liquidates it; it reopens 6 steps later
            if (memory.AccountOf(b.Address).Size.IsZero && (t == 1 || t % 6 == 0))
            {
                await side.SendAsync(at, () => chain.DepositMarginAsync(b, 600 * Q));
                memory.DepositMargin(b.Address, 600 * Q);
                var size = 12 * E18 + 7;
                await side.SendAsync(at, () => chain.TradeAsync(b, size));
                memory.Trade(b.Address, size, side.Tick);
                await side.AssertSameAsync(accounts, $"step {t}: B opens");
            }

            // anyone settles funding every 5th step; A takes 1 quote of margin out every 4th (when the memory says it may)
            if (t % 5 == 0)
            {
                await side.SendAsync(at, () => chain.SettleFundingAsync(d.Owner));
                memory.SettleFunding(side.Tick);
                await side.AssertSameAsync(accounts, $"step {t}: settleFunding");
            }
            if (t % 4 == 0)
            {
                var probe = side.Now + 1;
                var allowed = true;
                try
                {
                    memory.WithdrawMargin(a.Address, Q + t, side.Tick with { Timestamp = probe });
                }
                catch (PerpRevertException)
                {
                    allowed = false; // the contract would revert too: nothing sent
                }
                if (allowed)
                {
                    await side.SendAsync(probe, () => chain.WithdrawMarginAsync(a, Q + t, a.Address));
                    Assert.Equal(probe, side.Now);
                    withdrawals++;
                    await side.AssertSameAsync(accounts, $"step {t}: A withdraws");
                }
            }

            // a liquidator closes B when the next block's view says it is under maintenance
            var next = side.Tick with { Timestamp = side.Now + 1 };
            var bv = memory.View(b.Address, next);
            if (!bv.Size.IsZero && bv.Equity < bv.MaintenanceMargin)
            {
                var r = await side.SendAsync(next.Timestamp, () => chain.LiquidateAsync(d.Keeper, b.Address));
                var (penalty, deficit) = memory.Liquidate(b.Address, next);
                var ev = PerpMarket.LiquidatedEvents(r).Single();
                Assert.Equal((penalty, deficit), (ev.Penalty, ev.BadDebt));
                await side.AssertSameAsync(accounts, $"step {t}: B liquidated");
            }

            // the views (pending funding, equity, margins) at the latest block, read at that block
            var block = BlockTag.Number(await node.Eth.BlockNumberAsync());
            foreach (var x in accounts)
                Assert.Equal(memory.View(x, side.Tick), Plain(await chain.AccountViewAsync(x, block)));
        }

        // funding paid, fees and liquidations per account: the chain's events against the memory's totals
        foreach (var x in accounts)
        {
            var totals = memory.Totals(x);
            Assert.Equal(side.FundingPaid.GetValueOrDefault(x), totals.FundingPaid);
            Assert.Equal(side.Fees.GetValueOrDefault(x), totals.FeesPaid);
            Assert.Equal(side.Liquidations.GetValueOrDefault(x), totals.Liquidations);
        }
        Assert.True(memory.Totals(b.Address).Liquidations >= 1, "the leveraged long was never liquidated");
        Assert.True(memory.FundingIndex != 0 && memory.LastFundingTime > deployedAt + 10 * Interval, "funding intervals were settled");
        Assert.NotEqual(BigInteger.Zero, memory.Totals(a.Address).FundingPaid);
        Assert.NotEqual(BigInteger.Zero, memory.Totals(b.Address).FundingPaid);
        Assert.True(withdrawals >= 5, $"only {withdrawals} withdrawals");
        if (!premium) Assert.True(memory.Totals(a.Address).FundingPaid < 0, "at a positive rate the short receives");
    }

    private static PerpAccountView Plain(PerpMarket.AccountView v) => new(v.Margin, v.Size, v.MarkPrice, v.UnrealizedPnl, v.Equity, v.Notional, v.InitialMargin, v.MaintenanceMargin);
}
