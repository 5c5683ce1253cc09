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
}

/// <summary>A strategy's figures across paths.</summary>
/// <param name="Sharpe">mean/std of PnL vs hold across paths (0 when the std is 0), not annualised.</param>
public sealed record StrategySummary(
    string Name, double PnlVsHoldMean, double PnlVsHoldStd, double Sharpe, double Fees, double Lvr, double GasSpent,
    double Rebalances, double MaxDrawdown, double InventoryVariance, double NoiseMarkout, double InformedMarkout, double ArbitrageMarkout,
    IReadOnlyDictionary<string, double> DecisionsPerPath)
{
    /// <summary>Means across paths of the perp hedge's figures; null for the strategies without one.</summary>
    public HedgeSummary? Hedge { get; init; }
}

/// <summary>A hedged strategy's perp figures, means across paths (quote): hedge trades, margin-only moves, liquidations, funding paid (negative: received), perp trade fees, perp PnL (equity − net margin; funding and fees in, gas out).</summary>
public sealed record HedgeSummary(double Trades, double Liquidations, double FundingPaid, double Fees, double PerpPnl);

/// <summary>One step of the first path, for the charts.</summary>
public sealed record SeriesPoint(int Step, double Days, double Reference, double Oracle, double GasGwei, SeriesStrategyPoint[] Strategies);

/// <summary>A strategy's pool and inventory at one step (centre/low/high of its main pool).</summary>
public sealed record SeriesStrategyPoint(double Centre, double Low, double High, int FeePips, double Base, double Quote, double PnlVsHold);

public sealed record BacktestResult(Scenario Scenario, int Paths, ulong Seed, IReadOnlyList<StrategySummary> Strategies, IReadOnlyList<SeriesPoint> Series, long SwapsSimulated);

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

    public static ulong PathSeed(ulong seed, int path) => Xoshiro256.Derive(seed, 1_000_000UL + (ulong)path);

    /// <summary>Every strategy on one path; <paramref name="series"/> (if given) gets a point per step; the pools come
    /// from <paramref name="venueFactory"/> (in memory by default; an on-chain factory replays the same path on a node).</summary>
    public static PathResult[] RunPath(MarketPath path, string[] names, List<SeriesPoint>? series = null, IVenueFactory? venueFactory = null)
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
            var venues = strategy.Start(path, base0, quote0, factory);
            var market = new Market(path, venues);
            UInt256 r0Start = UInt256.Zero, r1Start = UInt256.Zero;
            foreach (var v in venues)
            {
                r0Start += v.State.Reserve0;
                r1Start += v.State.Reserve1;
            }
            double peak = 0, maxDrawdown = 0, pnl = 0;
            double mean = 0, m2 = 0;
            if (points is not null) points[0][k] = Point(strategy.Main, market, 0, 0);
            for (var t = 1; t <= n; t++)
            {
                Agents.Step(market, t);
                strategy.OnStep(market, t);

                var price = path.Reference[t];
                var (x, y) = market.Inventory();
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
        };
    }
}
