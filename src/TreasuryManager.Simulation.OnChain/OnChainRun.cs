using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Models.Curve;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Simulation.OnChain;

/// <summary>One step of an on-chain run (for the progress display and the charts).</summary>
public sealed record OnChainStep(int Step, long Timestamp, double Reference, double PoolPrice, double Low, double High, double Base, double Quote, double PnlVsHold, int SwapsSoFar, int RebalancesSoFar);

/// <summary>What an on-chain run did: every swap as the chain reported it, the pool's first and last state, the keeper's rebalances.</summary>
/// <param name="Fees">The fees the treasury's pool charged the traders, in quote: a base fee at the reference price of its
/// step, as the in-memory run counts them.</param>
/// <param name="HedgeTrades">"hedged": the keeper's mined adjustHedge transactions.</param>
/// <param name="HedgeValue">"hedged": the vault's hedge funds now (its quote balance plus the perp account's equity) less
/// what it was given for margin at the start, in quote; included in <see cref="PnlVsHold"/>.</param>
public sealed record OnChainResult(
    MarketPath Path, string Strategy, FastPoolState Start, FastPoolState End, IReadOnlyList<SwapRecord> Swaps,
    IReadOnlyList<OnChainStep> Series, int Rebalances, long RebalanceGasUsed, double GasSpentQuote, double PnlVsHold, double Fees,
    IReadOnlyDictionary<string, int> Decisions, int Transactions, int HedgeTrades = 0, double HedgeValue = 0,
    IReadOnlyDictionary<string, int>? HedgeDecisions = null);

/// <summary>Which contract holds the treasury's position in an on-chain run.</summary>
public enum OnChainPool
{
    /// <summary>Our ManagedPool, rebalanced through TreasuryVault.</summary>
    ManagedPool,
    /// <summary>A position in Uniswap's own v3 pool (v3-core's bytecode, 0.05%, 0.3% or 1% tier), held by
    /// UniswapV3PositionManager for the vault; the pool holds no other liquidity.</summary>
    UniswapV3,
}

/// <summary>
/// The on-chain mode: the same <see cref="MarketPath"/> the in-memory backtest replays, driven against the real
/// contracts on a local node. The reporter posts each oracle update to the real VolatilityOracle at the step's
/// timestamp; the agents (<see cref="Agents.Step"/>, the same code as in memory) send real swaps from funded accounts
/// through an <see cref="OnChainVenue"/>; for "managed" the keeper's real cycle (<see cref="KeeperRuntime"/>:
/// observe, decide, guard, sign, send, journal) runs after the traders every <c>keeper_every_steps</c> steps; for
/// "hedged" the same keeper also hedges on a real PerpMarket through the vault (the scenario's perp section: its fee,
/// margins and funding rate; the hedge offsets x(P) − the starting base, as in memory).
/// Chain time follows the path: each step's first block is stamped with the step's timestamp.
/// <para>Differences from memory, on purpose: the keeper reads gas from the node (the path's gas price is used
/// only to value the gas its rebalances used) and its TWAP from the pool's observation ring.</para>
/// </summary>
public sealed class OnChainRun : IAsyncDisposable
{
    /// <summary>Strategies that run on chain (one pool each).</summary>
    public static readonly string[] Supported = ["hold", "full-range", "static-range", "managed", "hedged"];

    /// <summary>Strategies that run on a Uniswap v3 pool: a static range and the keeper (the manager's width bound is
    /// finite, so no full range; no hedge there yet).</summary>
    public static readonly string[] SupportedOnUniswapV3 = ["static-range", "managed"];

    private const int FeedDecimals = 8;
    private readonly EthClient _eth;
    private readonly string _journalPath;
    private KeeperRuntime? _keeper;

    private OnChainRun(EthClient eth, MarketPath path, string strategy, TreasuryDeployer d, IOnChainVenue venue, string journalPath)
    {
        _eth = eth;
        Path = path;
        Strategy = strategy;
        Deployment = d;
        Venue = venue;
        _journalPath = journalPath;
    }

    public MarketPath Path { get; }
    public string Strategy { get; }
    public TreasuryDeployer Deployment { get; }
    public IOnChainVenue Venue { get; }

    /// <summary>The Uniswap v3 pool, its manager and its quote token (<see cref="OnChainPool.UniswapV3"/>; null otherwise).</summary>
    public UniswapV3PositionDeployment? UniswapV3 { get; private init; }

    /// <summary>
    /// Deploys tokens (18 decimals each), oracle, vault and one pool holding the scenario's starting inventory on the
    /// strategy's starting range (static-range's for "managed", as in memory), sets the vault's policy to the
    /// scenario's, and funds one trader account per class. Dev accounts: 0 owner, 1 keeper, 2 guardian, 3 the
    /// deployer's trader, 4 reporter, 5 stranger, 6–8 the noise, arbitrage and informed traders.
    /// </summary>
    /// <para>With <see cref="OnChainPool.UniswapV3"/> the ManagedPool stays empty: the inventory is deposited into
    /// UniswapV3PositionManager for a new v3 pool at the scenario's fee tier (one of the factory's), the manager's policy is
    /// the scenario's (fee bounds at the tier, the widest width the manager allows, a loss budget of 10%), and the keeper
    /// mints the starting range (static-range's, on the tick grid) once the pool's observations cover the TWAP window.</para>
    public static async Task<OnChainRun> DeployAsync(EthClient eth, string repositoryRoot, MarketPath path, string strategy, Func<int, EthKey> keys, CancellationToken ct = default) =>
        await DeployAsync(eth, repositoryRoot, path, strategy, keys, OnChainPool.ManagedPool, ct).ConfigureAwait(false);

    /// <inheritdoc cref="DeployAsync(EthClient, string, MarketPath, string, Func{int, EthKey}, CancellationToken)"/>
    public static async Task<OnChainRun> DeployAsync(EthClient eth, string repositoryRoot, MarketPath path, string strategy, Func<int, EthKey> keys, OnChainPool venue, CancellationToken ct = default)
    {
        if (!Supported.Contains(strategy))
            throw new ArgumentException($"strategy '{strategy}' does not run on chain; use one of {string.Join(", ", Supported)} (passive holds three ranges and runs in memory only)", nameof(strategy));
        if (venue == OnChainPool.UniswapV3 && !SupportedOnUniswapV3.Contains(strategy))
            throw new ArgumentException($"strategy '{strategy}' does not run on a Uniswap v3 pool; use one of {string.Join(", ", SupportedOnUniswapV3)} (the manager's width bound is finite and it has no hedge)", nameof(strategy));
        var s = path.Scenario;
        var v3 = venue == OnChainPool.UniswapV3;
        if (v3 && !UniswapV3Tiers.Contains(s.Pool.FeePips))
            throw new ArgumentException($"the scenario's pool fee {s.Pool.FeePips} pips is not a Uniswap v3 tier; use one of {string.Join(", ", UniswapV3Tiers)}", nameof(path));
        var p = s.Strategies;
        var reference = path.Reference[0];
        var halfWidth = strategy == "full-range" ? Strategies.FullRangeHalfWidth : p.StaticHalfWidth;
        var baseAmount = s.Pool.BaseAmount;
        var quoteAmount = s.Pool.QuoteAmount > 0 ? s.Pool.QuoteAmount : s.Pool.BaseAmount * s.Price.Initial;
        var hold = strategy == "hold";
        var hedged = strategy == "hedged";
        var settings = new TreasuryDeploymentSettings
        {
            BaseDecimals = 18, QuoteDecimals = 18,
            Price = Dec(reference), PriceLow = Dec(reference * Math.Exp(-halfWidth)), PriceHigh = Dec(reference * Math.Exp(halfWidth)),
            FeePips = s.Pool.FeePips,
            DepositBase = hold || v3 ? 0 : Dec(baseAmount), DepositQuote = hold || v3 ? 0 : Dec(quoteAmount),
            TraderBase = 0, TraderQuote = 0,
            ObservationCardinality = 200,
            OraclePrice = FeedAnswer(path.OraclePrice[0]), OracleVolatility = FeedAnswer(path.OracleVolatilityAnnual[0]),
            Perp = hedged ? HedgeMarket(s, quoteAmount) : null,
        };
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, keys, settings);
        var owner = d.Owner;
        var pool = d.Pool.Address;
        await d.Vault.SetHeartbeatAsync(owner, pool, (long)Math.Ceiling(s.Oracle.HeartbeatSeconds), ct);
        await d.Vault.SetTwapWindowAsync(owner, pool, p.TwapWindowSeconds, ct);
        await d.Vault.SetMaxTwapDeviationAsync(owner, pool, p.MaxTwapDeviationBps, ct);
        await d.Vault.SetMaxSkewAsync(owner, pool, p.MaxSkewBps, ct);
        await d.Vault.SetFeeBoundsAsync(owner, pool, p.MinFeePips, p.MaxFeePips, ct);
        await d.Vault.SetWidthBoundsAsync(owner, pool, p.MinWidthBps, p.MaxWidthBps, ct);
        await d.Vault.SetMinRebalanceIntervalAsync(owner, pool, p.MinRebalanceIntervalSeconds, ct);
        await d.Vault.SetInventoryBoundsAsync(owner, pool, p.MinBaseShareBps, p.MaxBaseShareBps, ct);

        var positions = v3 ? await UniswapV3PositionAsync(d, s, reference, halfWidth, baseAmount, quoteAmount, ct) : null;
        var quoteToken = positions?.Quote ?? d.Quote;
        var traders = new AccountSender[3];
        var plenty = BigInteger.Pow(10, 18 + 12);
        for (var i = 0; i < 3; i++)
        {
            traders[i] = await AccountSender.ConnectAsync(eth, keys(6 + i), d.Owner.ChainId, ct: ct);
            await d.Base.MintAsync(owner, traders[i].Address, plenty, ct);
            await quoteToken.MintAsync(owner, traders[i].Address, plenty, ct);
            await d.Base.ApproveAsync(traders[i], pool, TreasuryDeployer.MaxUint256, ct);
            await d.Quote.ApproveAsync(traders[i], pool, TreasuryDeployer.MaxUint256, ct);
        }
        var journal = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"treasury-onchain-{Guid.NewGuid():N}.db");
        IOnChainVenue onChainVenue = positions is null ? new OnChainVenue(d, traders) : await UniswapV3OnChainVenue.CreateAsync(positions, traders, ct);
        var run = new OnChainRun(eth, path, strategy, d, onChainVenue, journal) { UniswapV3 = positions };
        if (strategy is "managed" or "hedged")
            run._keeper = await KeeperRuntime.StartAsync(run.KeeperSettings(), keys(1), new KeeperMetrics(), NullLoggerFactory.Instance, readOnly: false);
        return run;
    }

    /// <summary>The fee tiers of Uniswap's factory (at construction): a scenario on a v3 pool must use one.</summary>
    public static readonly int[] UniswapV3Tiers = [500, 3000, 10_000];

    /// <summary>The manager's widest range: the vault's finite MAX_WIDTH_BPS (p_b/p_a = 1,001; the manager stores its bound in
    /// 24 bits and has no unbounded sentinel).</summary>
    private const long UniswapV3MaxWidthBps = StrategyParameters.VaultMaxWidthBps;

    /// <summary>
    /// The v3 venue of <see cref="OnChainPool.UniswapV3"/>: pool, manager and deposit (<see cref="UniswapV3PositionDeployment"/>)
    /// with the scenario's policy, then — once the pool's observations cover the TWAP window and the oracle is fresh — the
    /// keeper's first rebalance onto static-range's range centred on the tick grid point nearest the price.
    /// </summary>
    private static async Task<UniswapV3PositionDeployment> UniswapV3PositionAsync(TreasuryDeployer d, Scenario s, double reference, double halfWidth, double baseAmount, double quoteAmount, CancellationToken ct)
    {
        var p = s.Strategies;
        var fee = s.Pool.FeePips;
        var policy = d.Policy with
        {
            Heartbeat = (long)Math.Ceiling(s.Oracle.HeartbeatSeconds), TwapWindow = p.TwapWindowSeconds,
            MaxTwapDeviationBps = p.MaxTwapDeviationBps, MaxSkewBps = p.MaxSkewBps,
            MinFeePips = fee, MaxFeePips = fee,
            MinWidthBps = p.MinWidthBps, MaxWidthBps = Math.Min(p.MaxWidthBps, UniswapV3MaxWidthBps),
            MinRebalanceInterval = p.MinRebalanceIntervalSeconds, MinBaseShareBps = p.MinBaseShareBps, MaxBaseShareBps = p.MaxBaseShareBps,
        };
        var v3 = await UniswapV3PositionDeployment.DeployAsync(d, new UniswapV3PositionSettings
        {
            FeePips = fee, Price = Dec(reference), DepositBase = Dec(baseAmount), DepositQuote = Dec(quoteAmount),
            MaxLossBps = 1000, // the manager's largest: the keeper's re-ranges in a trend realise more than the default 1% against holding
            Policy = policy,
        });
        await d.IncreaseTimeAsync(p.TwapWindowSeconds + 1);
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility, ct);
        var halfTicks = Math.Max(1, (int)Math.Round(halfWidth / Math.Log(1.0001) / v3.TickSpacing)) * v3.TickSpacing;
        await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(v3.TickNear(Dec(reference)), halfTicks), ct);
        return v3;
    }

    /// <summary>The keeper's configuration for this deployment: the scenario's strategy parameters (as the in-memory "managed" uses them).</summary>
    public TreasurySettings KeeperSettings()
    {
        var s = Path.Scenario;
        var (targets, strategy, gas) = ManagedParameters.From(s);
        return new TreasurySettings
        {
            Rpc = new RpcSettings { Url = _eth.Rpc.Endpoint.ToString(), ChainId = Deployment.Owner.ChainId, TimeoutSeconds = 30 },
            Key = new KeySettings { MnemonicEnv = "UNUSED_KEY_IS_PASSED_IN" },
            Vault = Deployment.Vault.Address.ToString(),
            Journal = _journalPath,
            UniswapV3Manager = UniswapV3?.Manager.Address.ToString(),
            Pools = [new PoolSettings
            {
                Address = (UniswapV3?.Pool.Address ?? Deployment.Pool.Address).ToString(), Name = UniswapV3 is null ? "BASE/USDQ" : "BASE/USDQ v3",
                Venue = UniswapV3 is null ? PoolVenue.ManagedPool : PoolVenue.UniswapV3,
                TargetBaseShareBps = targets.TargetBaseShareBps, HardLimitBps = targets.HardLimitBps,
                Hedge = Strategy == "hedged"
                    ? new HedgeSettings { Ratio = s.Perp.HedgeRatio, TargetMarginRatio = s.Perp.TargetMarginRatio, ReferenceBase = s.Pool.BaseAmount }
                    : new HedgeSettings(),
            }],
            Gas = new GasSettings
            {
                EthPriceInQuote = (decimal)gas.EthPriceInQuote, BaseFeeCeilingGwei = gas.BaseFeeCeilingGwei, MaxFeePerGasGwei = gas.MaxFeePerGasGwei,
                Confirmations = 1, BlocksBeforeReplacement = 3, MaxBlocksToWait = 20,
            },
            Strategy = strategy,
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        };
    }

    /// <summary>
    /// Replays the path on chain: per step the reporter's post (if due), the traders, then the strategy (the keeper's
    /// real cycle for "managed"). <paramref name="onStep"/> sees every step as it completes.
    /// </summary>
    public async Task<OnChainResult> RunAsync(Action<OnChainStep>? onStep = null, CancellationToken ct = default)
    {
        var s = Path.Scenario;
        var market = new Market(Path, [Venue]);
        var start = Venue.State;
        var holdBase = Units.Human(Units.Raw(s.Pool.BaseAmount));
        var holdQuote = Units.Human(Units.Raw(s.Pool.QuoteAmount > 0 ? s.Pool.QuoteAmount : s.Pool.BaseAmount * s.Price.Initial));
        if (Strategy == "hold") (holdBase, holdQuote) = (0, 0);
        var series = new List<OnChainStep>(Path.Steps + 1);
        var decisions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long rebalanceGas = 0;
        var transactions = 0;
        var hedgeTrades = 0;
        var hedgeFunds0 = Strategy == "hedged" ? await HedgeFundsAsync(ct) : 0;
        var hedgeValue = 0.0;
        var hedgeDecisions = new SortedDictionary<string, int>(StringComparer.Ordinal);

        // step 0: chain time jumps to the path's start and the reporter posts the first values
        await StampNextBlockAsync(Path.Timestamp(0), ct);
        await Deployment.Oracle.UpdateAsync(Deployment.Reporter, FeedAnswer(Path.OraclePrice[0]), FeedAnswer(Path.OracleVolatilityAnnual[0]), ct);
        series.Add(Point(0, market, 0));
        for (var t = 1; t <= Path.Steps; t++)
        {
            ct.ThrowIfCancellationRequested();
            await StampNextBlockAsync(Path.Timestamp(t), ct);
            if (Path.OracleUpdatedAt[t] == Path.Timestamp(t))
            {
                await Deployment.Oracle.UpdateAsync(Deployment.Reporter, FeedAnswer(Path.OraclePrice[t]), FeedAnswer(Path.OracleVolatilityAnnual[t]), ct);
                transactions++;
            }
            var before = Venue.Swaps.Count;
            Agents.Step(market, t);
            transactions += Venue.Swaps.Count - before;

            if (_keeper is not null && t % s.Strategies.KeeperEverySteps == 0)
            {
                var report = await _keeper.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true, ct: ct);
                var outcomes = (report?.Outcomes ?? []).ToDictionary(o => o.Key);
                foreach (var decision in report?.Decisions ?? [])
                {
                    // counted under the in-memory run's labels: a hold by its reason, a rebalance by its kind once it is mined
                    var label = decision switch
                    {
                        Plan plan when outcomes.TryGetValue(plan.IntentKey.ToString(), out var outcome) => outcome switch
                        {
                            ExecutionOutcome.Mined { Receipt.Succeeded: true } => plan.CountLabel,
                            ExecutionOutcome.Deferred => DecisionLabels.Of(HoldReason.GasAboveCeiling),
                            _ => "NotMined",
                        },
                        _ => decision.CountLabel,
                    };
                    decisions[label] = decisions.GetValueOrDefault(label) + 1;
                }
                foreach (var outcome in report?.Outcomes ?? [])
                {
                    if (outcome is ExecutionOutcome.Mined { Receipt.Succeeded: true } mined)
                    {
                        market.ChargeRebalance(t, mined.Outcome.GasUsed);
                        rebalanceGas += mined.Outcome.GasUsed;
                        transactions++;
                    }
                }
                foreach (var hedge in report?.Hedges ?? [])
                {
                    var hedgeLabel = hedge.Traded ? "Hedge trade" : $"Hedge hold ({hedge.Held?.ToString() ?? "not mined"}: {hedge.Reason})";
                    hedgeDecisions[hedgeLabel] = hedgeDecisions.GetValueOrDefault(hedgeLabel) + 1;
                    if (hedge.Outcome is ExecutionOutcome.Mined { Receipt.Succeeded: true } mined)
                    {
                        market.ChargeGas(t, mined.Outcome.GasUsed); // the hedge's gas: in GasSpent, not a rebalance
                        hedgeTrades++;
                        transactions++;
                    }
                }
                Venue.Refresh();
            }
            if (Strategy == "hedged") hedgeValue = await HedgeFundsAsync(ct) - hedgeFunds0;
            series.Add(Point(t, market, PnlVsHold(market, t, holdBase, holdQuote) + hedgeValue));
            onStep?.Invoke(series[^1]);
        }
        return new OnChainResult(Path, Strategy, start, Venue.State, Venue.Swaps, series, market.Rebalances, rebalanceGas, market.GasSpent,
            series[^1].PnlVsHold, market.Fees, decisions, transactions, hedgeTrades, hedgeValue, hedgeDecisions);
    }

    /// <summary>
    /// The hedge market of "hedged": the scenario's perp terms; the counterparty and the vault's margin funds each as
    /// large as the pool's quote, a notional cap of twice the pool's value, the policy's margin floor below the keeper's
    /// target (the keeper targets at least the floor + 1%), the mark fresh for the oracle's heartbeat plus one step.
    /// </summary>
    private static PerpDeploymentSettings HedgeMarket(Scenario s, double quoteAmount) => new()
    {
        Heartbeat = (int)Math.Ceiling(s.Oracle.HeartbeatSeconds + s.StepSeconds),
        FundingInterval = s.Perp.FundingIntervalSeconds, FundingRateWad = s.Perp.FundingRateWad,
        TradeFeePips = s.Perp.FeePips, InitialMarginPips = s.Perp.InitialMarginPips,
        MaintenanceMarginPips = s.Perp.MaintenanceMarginPips, LiquidationPenaltyPips = s.Perp.LiquidationPenaltyPips,
        MarketQuote = Dec(quoteAmount), VaultQuote = Dec(quoteAmount), MaxHedgeNotional = Dec(4 * quoteAmount),
        MinHedgeMarginRatioPips = (int)Math.Min(s.Perp.InitialMarginPips, s.Perp.TargetMarginRatio * 1e6 / 2),
    };

    /// <summary>The vault's hedge funds in quote: its own quote balance plus its perp account's equity (a flat account's equity is its margin).</summary>
    private async Task<double> HedgeFundsAsync(CancellationToken ct)
    {
        var d = Deployment;
        var balance = await d.Quote.BalanceOfAsync(d.Vault.Address, ct: ct);
        var view = await d.Perp!.AccountViewAsync(d.Vault.Address, ct: ct);
        var equity = view.Size.IsZero ? view.Margin : view.Equity;
        return ((double)balance + (double)equity) / 1e18; // the deployment's quote token has 18 decimals
    }

    private static double PnlVsHold(Market market, int t, double holdBase, double holdQuote)
    {
        var price = market.Path.Reference[t];
        var (x, y) = market.Inventory();
        return x * price + y - market.GasSpent - (holdBase * price + holdQuote);
    }

    private OnChainStep Point(int t, Market market, double pnl)
    {
        ref readonly var st = ref Venue.State;
        var (x, y) = market.Inventory();
        var ranged = !st.Liquidity.IsZero;
        return new OnChainStep(t, Path.Timestamp(t), Path.Reference[t], Units.Price(st.SqrtPriceX96),
            ranged ? Units.Price(st.SqrtPriceLowX96) : double.NaN, ranged ? Units.Price(st.SqrtPriceHighX96) : double.NaN,
            x, y, pnl, Venue.Swaps.Count, market.Rebalances);
    }

    /// <summary>Stamps the next block with <paramref name="timestamp"/> when that is after the latest block (several transactions in a step take the following seconds).</summary>
    private async Task StampNextBlockAsync(long timestamp, CancellationToken ct)
    {
        var latest = (await _eth.GetBlockAsync(ct: ct)).Timestamp.ToUnixTimeSeconds();
        if (timestamp > latest) await _eth.Rpc.CallAsync("evm_setNextBlockTimestamp", [timestamp], ct);
    }

    /// <summary>An 8-decimal feed answer.</summary>
    public static BigInteger FeedAnswer(double value) => new(Math.Round(value * Math.Pow(10, FeedDecimals)));

    private static decimal Dec(double v) => decimal.Parse(v.ToString("G15", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        _keeper?.Dispose();
        _keeper = null;
        foreach (var f in new[] { _journalPath, _journalPath + "-wal", _journalPath + "-shm" })
            if (File.Exists(f)) File.Delete(f);
        await Task.CompletedTask;
    }
}

/// <summary>The in-memory reference for an on-chain run.</summary>
public static class MarketStep
{
    /// <summary>
    /// The traders of <paramref name="path"/> replayed in memory on a pool that starts at <paramref name="start"/>,
    /// with no strategy acting: the reference for an on-chain run of a static strategy (same swaps, same reserves).
    /// </summary>
    public static InMemoryVenue Replay(MarketPath path, FastPoolState start)
    {
        var venue = new InMemoryVenue(start, recordSwaps: true);
        var market = new Market(path, [venue]);
        for (var t = 1; t <= path.Steps; t++) Agents.Step(market, t);
        return venue;
    }
}
