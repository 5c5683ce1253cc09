using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Simulation;

/// <summary>One strategy's figures on one path (quote units).</summary>
/// <param name="PnlVsHold">Final value (pools' tokens at the reference price, minus gas spent) minus hold's final value.</param>
/// <param name="InventoryVariance">Variance over the path's steps of the base inventory above target, valued in quote ((x − w·V/s)·s).</param>
/// <param name="MaxDrawdown">Largest peak-to-trough fall of the PnL-vs-hold series.</param>
/// <param name="Markout">The pools' markouts by trader class (noise, arbitrageur, informed).</param>
public sealed record PathResult(
    string Strategy, double PnlVsHold, double Fees, double Lvr, double GasSpent, int Rebalances,
    double InventoryVariance, double MaxDrawdown, double[] Markout, int[] Swaps,
    UInt256 Token0In, UInt256 Token0Out, UInt256 Token1In, UInt256 Token1Out,
    UInt256 Reserve0Start, UInt256 Reserve1Start, UInt256 Reserve0End, UInt256 Reserve1End,
    IReadOnlyDictionary<string, int> Decisions)
{
    /// <summary>The perp hedge's figures ("hedged", "defended"); null for the strategies without one.</summary>
    public HedgeStats? Hedge { get; init; }

    /// <summary>PnL vs hold taken apart (<see cref="ProfitDecomposition.Total"/> equals <see cref="PnlVsHold"/> up to rounding).</summary>
    public ProfitDecomposition Decomposition { get; init; } = ProfitDecomposition.Zero;

    /// <summary>Fair market: where the noise orders went (null without an outside venue).</summary>
    public RoutingStats? Routing { get; init; }
}

/// <summary>
/// PnL vs hold taken apart, quote. Every swap changes the pools' value at the reference price then by its fee minus
/// its LVR (Σ output − (input − fee)); between swaps the pools' base above hold's, x − x₀, gains or loses with the
/// price. So PnL vs hold = fees − arbitrage loss − informed loss + noise impact + inventory − gas − hedge gas + hedge PnL:
/// <list type="bullet">
/// <item><see cref="Fees"/>: all fees earned (the replay's credited fees included);</item>
/// <item><see cref="ArbitrageLoss"/>, <see cref="InformedLoss"/>: the LVR of the arbitrageur's and the informed traders' swaps (before the fees they paid);</item>
/// <item><see cref="NoiseImpact"/>: minus the LVR of the noise swaps — what noise traders paid beyond the fee (their price impact, which the arbitrageur then takes back);</item>
/// <item><see cref="Inventory"/>: Σ over steps of (x_{t−1} − x₀)·(S_t − S_{t−1}), the price exposure of holding other inventory than hold (a rebalancing portfolio's PnL vs hold);</item>
/// <item><see cref="Gas"/>: the rebalances' gas; <see cref="HedgeGas"/> the hedge's transactions' gas; <see cref="HedgePnl"/> the perp's PnL (equity − net margin: its price PnL, funding, perp fees).</item>
/// </list>
/// </summary>
public sealed record ProfitDecomposition(double Fees, double ArbitrageLoss, double InformedLoss, double NoiseImpact, double Inventory, double Gas, double HedgeGas, double HedgePnl)
{
    public static readonly ProfitDecomposition Zero = new(0, 0, 0, 0, 0, 0, 0, 0);

    public double Total => Fees - ArbitrageLoss - InformedLoss + NoiseImpact + Inventory - Gas - HedgeGas + HedgePnl;
}

/// <summary>Fair market: noise orders routed to the pool by cost, to the outside venue, captive ones the pool filled; the venue's quote volume.</summary>
public sealed record RoutingStats(double ToPool, double ToVenue, double Captive, double VenueVolume);

/// <summary>A strategy's figures across paths.</summary>
/// <param name="Sharpe">mean/std of PnL vs hold across paths (0 when the std is 0), not annualised.</param>
public sealed record StrategySummary(
    string Name, double PnlVsHoldMean, double PnlVsHoldStd, double Sharpe, double Fees, double Lvr, double GasSpent,
    double Rebalances, double MaxDrawdown, double InventoryVariance, double NoiseMarkout, double InformedMarkout, double ArbitrageMarkout,
    IReadOnlyDictionary<string, double> DecisionsPerPath)
{
    /// <summary>Means across paths of the profit decomposition.</summary>
    public ProfitDecomposition Decomposition { get; init; } = ProfitDecomposition.Zero;

    /// <summary>Means across paths of the noise routing (null without an outside venue).</summary>
    public RoutingStats? Routing { get; init; }

    /// <summary>Means across paths of the perp hedge's figures; null for the strategies without one.</summary>
    public HedgeSummary? Hedge { get; init; }
}

/// <summary>A hedged strategy's perp figures, means across paths (quote): hedge trades, margin-only moves, liquidations, funding paid (negative: received), perp trade fees, perp PnL (equity − net margin; funding and fees in, gas out).</summary>
public sealed record HedgeSummary(double Trades, double Liquidations, double FundingPaid, double Fees, double PerpPnl);

/// <summary>One step of the first path, for the charts.</summary>
public sealed record SeriesPoint(int Step, double Days, double Reference, double Oracle, double GasGwei, SeriesStrategyPoint[] Strategies);

/// <summary>A strategy's pool and inventory at one step (centre/low/high of its main pool).</summary>
public sealed record SeriesStrategyPoint(double Centre, double Low, double High, int FeePips, double Base, double Quote, double PnlVsHold);

public sealed record BacktestResult(Scenario Scenario, int Paths, ulong Seed, IReadOnlyList<StrategySummary> Strategies, IReadOnlyList<SeriesPoint> Series, long SwapsSimulated)
{
    /// <summary>A real-price run's statistics of the replayed prices (null for a scenario).</summary>
    public ReferenceStatistics? Reference { get; init; }
}

/// <summary>
/// The in-memory backtest: for each path a <see cref="MarketPath"/> from the scenario and the path's seed
/// (<see cref="Xoshiro256.Derive"/>(seed, path)), then every strategy replayed on it. Paths run in parallel; each
/// path's result depends only on its seed, and the summary adds them up in path order, so the figures are the same
/// bit for bit whatever the thread count.
/// </summary>
public static class Backtest
{
    public static BacktestResult Run(Scenario scenario, int paths, ulong seed, int? threads = null, Action? onPathDone = null, string[]? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(paths);
        var names = strategies ?? Strategies.Names;
        var results = new PathResult[paths][];
        List<SeriesPoint>? series = null;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        Parallel.For(0, paths, options, i =>
        {
            var path = MarketPath.Generate(scenario, PathSeed(seed, i));
            var record = i == 0 ? new List<SeriesPoint>(scenario.Steps + 1) : null;
            results[i] = RunPath(path, names, record);
            if (record is not null) series = record;
            onPathDone?.Invoke();
        });

        var summaries = new List<StrategySummary>();
        long swaps = 0;
        for (var k = 0; k < names.Length; k++)
        {
            var col = new PathResult[paths];
            for (var i = 0; i < paths; i++) col[i] = results[i][k];
            summaries.Add(Summarise(names[k], col));
            foreach (var r in col) swaps += r.Swaps.Sum();
        }
        return new BacktestResult(scenario, paths, seed, summaries, series ?? [], swaps);
    }

    /// <summary>Every strategy on one given path (a real price file): the same result shape as <see cref="Run"/> with one path.</summary>
    /// <param name="seed">The seed reported (the experiment's; the path's own is derived from it).</param>
    public static BacktestResult RunOne(MarketPath path, ulong seed, string[]? strategies = null, IVenueFactory? venueFactory = null, Action<Market, int>? marketStep = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var names = strategies ?? Strategies.Names;
        var series = new List<SeriesPoint>(path.Steps + 1);
        var results = RunPath(path, names, series, venueFactory, marketStep);
        var summaries = new List<StrategySummary>();
        for (var k = 0; k < names.Length; k++) summaries.Add(Summarise(names[k], [results[k]]));
        return new BacktestResult(path.Scenario, 1, seed, summaries, series, results.Sum(r => (long)r.Swaps.Sum()));
    }

    public static ulong PathSeed(ulong seed, int path) => Xoshiro256.Derive(seed, 1_000_000UL + (ulong)path);

    /// <summary>Every strategy on one path; <paramref name="series"/> (if given) gets a point per step; the pools come
    /// from <paramref name="venueFactory"/> (in memory by default; an on-chain factory replays the same path on a node).</summary>
    /// <param name="marketStep">Replaces the agents (<see cref="Agents.Step"/>) each step: the real-pool replay moves its pools to the real price and credits the real fees instead.</param>
    public static PathResult[] RunPath(MarketPath path, string[] names, List<SeriesPoint>? series = null, IVenueFactory? venueFactory = null, Action<Market, int>? marketStep = null)
    {
        var factory = venueFactory ?? InMemoryVenueFactory.Instance;
        var s = path.Scenario;
        var base0 = Units.Raw(s.Pool.BaseAmount);
        var quote0 = Units.Raw(s.Pool.QuoteAmount > 0 ? s.Pool.QuoteAmount : s.Pool.BaseAmount * s.Price.Initial);
        var n = s.Steps;
        var w = s.Strategies.TargetBaseShareBps / 10_000.0;
        var holdBase = Units.Human(base0);
        var holdQuote = Units.Human(quote0);
        var results = new PathResult[names.Length];
        var points = series is null ? null : new SeriesStrategyPoint[n + 1][];
        if (points is not null) for (var t = 0; t <= n; t++) points[t] = new SeriesStrategyPoint[names.Length];

        for (var k = 0; k < names.Length; k++)
        {
            var strategy = Strategies.Create(names[k], s);
            var hedged = strategy as HedgedStrategy;
            var venues = strategy.Start(path, base0, quote0, venueFactory is null && s.OtherLps.LiquidityQuote > 0 ? new SharedVenueFactory(s) : factory);
            var market = new Market(path, venues);
            UInt256 r0Start = UInt256.Zero, r1Start = UInt256.Zero;
            foreach (var v in venues)
            {
                r0Start += v.State.Reserve0;
                r1Start += v.State.Reserve1;
            }
            double peak = 0, maxDrawdown = 0, pnl = 0;
            double mean = 0, m2 = 0;
            var inventoryPnl = 0.0;
            var prevX = market.Inventory().Base;
            if (points is not null) points[0][k] = Point(strategy.Main, market, 0, 0);
            for (var t = 1; t <= n; t++)
            {
                var price = path.Reference[t];
                inventoryPnl += (prevX - holdBase) * (price - path.Reference[t - 1]);
                if (marketStep is null) Agents.Step(market, t);
                else marketStep(market, t);
                strategy.OnStep(market, t);

                var (x, y) = market.Inventory();
                prevX = x;
                pnl = hedged is null
                    ? x * price + y - market.GasSpent - (holdBase * price + holdQuote)
                    : x * price + y + hedged.PerpValue(path, t) - market.GasSpent - (holdBase * price + holdQuote);
                peak = Math.Max(peak, pnl);
                maxDrawdown = Math.Max(maxDrawdown, peak - pnl);
                var dev = x * price - w * (x * price + y);
                var delta = dev - mean;
                mean += delta / t;
                m2 += delta * (dev - mean);
                if (points is not null) points[t][k] = Point(strategy.Main, market, t, pnl);
            }
            UInt256 r0End = UInt256.Zero, r1End = UInt256.Zero;
            foreach (var v in venues)
            {
                r0End += v.State.Reserve0;
                r1End += v.State.Reserve1;
            }
            var swaps = (int[])market.SwapCount.Clone();
            results[k] = new PathResult(names[k], pnl, market.Fees, market.Lvr, market.GasSpent, market.Rebalances,
                n > 1 ? m2 / (n - 1) : 0, maxDrawdown, (double[])market.Markout.Clone(), swaps,
                market.Token0In, market.Token0Out, market.Token1In, market.Token1Out, r0Start, r1Start, r0End, r1End,
                new SortedDictionary<string, int>((IDictionary<string, int>)strategy.Decisions.ToDictionary(), StringComparer.Ordinal))
            {
                Hedge = hedged?.Stats(path, n),
                Decomposition = new ProfitDecomposition(market.Fees, market.LvrBy[(int)Trader.Arbitrageur], market.LvrBy[(int)Trader.Informed],
                    -market.LvrBy[(int)Trader.Noise], inventoryPnl, market.GasSpent - market.HedgeGasSpent, market.HedgeGasSpent,
                    hedged is null ? 0 : hedged.PerpValue(path, n)),
                Routing = s.Venue.Enabled ? new RoutingStats(market.RoutedToPool, market.RoutedToVenue, market.CaptiveToPool, market.VenueVolume) : null,
            };
        }

        if (series is not null && points is not null)
            for (var t = 0; t <= n; t++)
                series.Add(new SeriesPoint(t, t * s.Dt, path.Reference[t], path.OraclePrice[t], path.GasGwei[t], points[t]));
        return results;
    }

    private static SeriesStrategyPoint Point(IPoolVenue main, Market market, int step, double pnl)
    {
        ref readonly var st = ref main.State;
        var (x, y) = market.Inventory();
        var hasRange = !st.Liquidity.IsZero;
        return new SeriesStrategyPoint(Units.Price(st.SqrtPriceX96),
            hasRange ? Units.Price(st.SqrtPriceLowX96) : double.NaN, hasRange ? Units.Price(st.SqrtPriceHighX96) : double.NaN,
            st.FeePips, x, y, pnl);
    }

    private static StrategySummary Summarise(string name, PathResult[] col)
    {
        var n = col.Length;
        double Mean(Func<PathResult, double> f)
        {
            var sum = 0.0;
            foreach (var r in col) sum += f(r);
            return sum / n;
        }
        var mean = Mean(r => r.PnlVsHold);
        var variance = 0.0;
        foreach (var r in col) variance += (r.PnlVsHold - mean) * (r.PnlVsHold - mean);
        var std = n > 1 ? Math.Sqrt(variance / (n - 1)) : 0;
        var sharpe = std > 0 ? mean / std : 0;
        return new StrategySummary(name, mean, std, sharpe, Mean(r => r.Fees), Mean(r => r.Lvr), Mean(r => r.GasSpent),
            Mean(r => r.Rebalances), Mean(r => r.MaxDrawdown), Mean(r => r.InventoryVariance),
            Mean(r => r.Markout[(int)Trader.Noise]), Mean(r => r.Markout[(int)Trader.Informed]), Mean(r => r.Markout[(int)Trader.Arbitrageur]),
            col.SelectMany(r => r.Decisions.Keys).Distinct().Order(StringComparer.Ordinal)
                .ToDictionary(k => k, k => Mean(r => r.Decisions.GetValueOrDefault(k))))
        {
            Hedge = col.All(r => r.Hedge is not null)
                ? new HedgeSummary(Mean(r => r.Hedge!.Trades), Mean(r => r.Hedge!.Liquidations),
                    Mean(r => r.Hedge!.FundingPaid), Mean(r => r.Hedge!.Fees), Mean(r => r.Hedge!.PerpPnl))
                : null,
            Decomposition = new ProfitDecomposition(Mean(r => r.Decomposition.Fees), Mean(r => r.Decomposition.ArbitrageLoss), Mean(r => r.Decomposition.InformedLoss),
                Mean(r => r.Decomposition.NoiseImpact), Mean(r => r.Decomposition.Inventory), Mean(r => r.Decomposition.Gas), Mean(r => r.Decomposition.HedgeGas),
                Mean(r => r.Decomposition.HedgePnl)),
            Routing = col.All(r => r.Routing is not null)
                ? new RoutingStats(Mean(r => r.Routing!.ToPool), Mean(r => r.Routing!.ToVenue), Mean(r => r.Routing!.Captive), Mean(r => r.Routing!.VenueVolume))
                : null,
        };
    }
}
