using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Estimators;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Estimation;

/// <summary>What the Estimate step knows about one pool's market (null until its estimator is ready).</summary>
/// <param name="EwmaVolatilityPerDay">σ of ln price per √day, an EWMA cycle by cycle of the oracle's price when the keeper
/// reads one (the pool's own price otherwise).</param>
/// <param name="Intensity">λ(δ) = A·e^(−kδ), δ relative, A per day, fitted from swaps at the fees the pool quoted.</param>
/// <param name="Markout">Size-weighted markout of the pool's takers (positive: informed flow).</param>
/// <param name="SwapsSeen">Swaps counted so far.</param>
/// <param name="Defence">The toxic-flow monitor's reading (VPIN, regime, whether to quote defensively).</param>
/// <param name="FeeIncomePerDay">The fees the pool earned, quote per day, exponentially weighted over a day of its swaps
/// (bias-corrected while younger than that; null for the first quarter day).</param>
/// <param name="FeeIncomeByFeePips">The same split by the fee each swap paid (pips → quote per day; the values sum to
/// <paramref name="FeeIncomePerDay"/>): what the fee rule needs to put income earned at earlier fees at the current one.</param>
public sealed record PoolEstimates(double? EwmaVolatilityPerDay, IntensityFit? Intensity, double? Markout, int SwapsSeen, DefenceSignal? Defence = null, double? FeeIncomePerDay = null,
    IReadOnlyDictionary<int, double>? FeeIncomeByFeePips = null);

/// <summary>
/// The Estimate step for one pool: the models' estimators fed each cycle from the pool's price (EWMA volatility,
/// markouts) and from its swap events (trade intensity at the quoted fee, markouts by size, the toxic-flow monitor).
/// Stateful; one per pool.
/// Times are in days (the decision's unit).
/// </summary>
public sealed class PoolEstimators
{
    private const double SecondsPerDay = 86_400;
    private readonly EwmaVolatility _volatility;
    private readonly IntensityEstimator _intensity = new(distanceResolution: 1e-4, minFills: 50);
    private readonly MarkoutToxicity _markout;
    private readonly ToxicFlowMonitor _monitor;
    private readonly List<FlowTrade> _flow = [];
    private double _lastPoolPrice;
    private long? _lastTimestamp;
    private double _lastFee;
    private int _swaps;
    private const double FeeWindowDays = 1;
    private double _feeSum; // Σ fee_i·e^(−(t − t_i)/τ), quote
    private readonly Dictionary<int, double> _feeSumByFee = []; // the same by the fee paid (pips)
    private const double NegligibleFeeShare = 1e-12;
    private long? _firstTimestamp;
    private bool? _volatilityFromOracle; // decided at the first timed update, then kept: one series, never a mix

    public PoolEstimators(double volatilitySmoothingSeconds, double markoutHorizonSeconds = 300, DefenceSettings? defence = null)
    {
        _monitor = new ToxicFlowMonitor(defence ?? new DefenceSettings());
        _volatility = new EwmaVolatility(volatilitySmoothingSeconds / SecondsPerDay, minObservations: 10);
        _markout = new MarkoutToxicity(markoutHorizonSeconds / SecondsPerDay);
    }

    /// <summary>
    /// One cycle: the pool's state (null when its read failed: the estimates stand), the swaps since the last cycle in
    /// order, and the oracle's price round (feeds the toxic-flow monitor).
    /// </summary>
    public PoolEstimates Update(PoolSnapshot? state, IReadOnlyList<SwapSeen> swaps, FeedReading? oraclePrice, long timestamp, int baseDecimals, int quoteDecimals)
    {
        ArgumentNullException.ThrowIfNull(swaps);
        if (state is not null)
        {
            // Blocks can share a second (anvil mines on wall-clock time): the swaps of a cycle whose time did not advance
            // are still counted; only the time-based updates wait for time to pass.
            var advanced = _lastTimestamp is null || timestamp > _lastTimestamp;
            var time = timestamp / SecondsPerDay;
            var scale = Math.Pow(10, baseDecimals - quoteDecimals);
            var price = Uint.PriceFromSqrtPriceX96(state.SqrtPriceX96) * scale;
            var fee = (double)state.FeePips / 1e6;
            if (advanced && _lastTimestamp is { } last) _intensity.AddExposure(_lastFee, (timestamp - last) / SecondsPerDay);
            _flow.Clear();
            var before = _lastPoolPrice > 0 ? _lastPoolPrice : price;
            if (advanced && _lastTimestamp is { } previous)
            {
                var decay = Math.Exp(-(timestamp - previous) / SecondsPerDay / FeeWindowDays);
                _feeSum *= decay;
                foreach (var paid in _feeSumByFee.Keys.ToList())
                {
                    // a fee quoted long ago has decayed to nothing (e^(−30) after a month): dropped, so the split stays small
                    var left = _feeSumByFee[paid] * decay;
                    if (left < _feeSum * NegligibleFeeShare) _feeSumByFee.Remove(paid);
                    else _feeSumByFee[paid] = left;
                }
            }
            _firstTimestamp ??= timestamp;
            foreach (var swap in swaps)
            {
                _swaps++;
                _intensity.AddFill(fee);
                var swapPrice = Uint.PriceFromSqrtPriceX96(swap.SqrtPriceX96) * scale;
                // the trader sold base (zeroForOne) or bought it; size in base units of the trade
                var baseSize = (double)(swap.ZeroForOne ? swap.AmountIn : swap.AmountOut) / Math.Pow(10, baseDecimals);
                _markout.AddTrade(time, swapPrice, swap.ZeroForOne ? -baseSize : baseSize);
                _flow.Add(new FlowTrade(before, swapPrice, baseSize * swapPrice, BuysBase: !swap.ZeroForOne));
                // the fee the pool kept: the input's fee share, in quote
                var input = swap.ZeroForOne ? (double)swap.AmountIn / Math.Pow(10, baseDecimals) * swapPrice : (double)swap.AmountIn / Math.Pow(10, quoteDecimals);
                _feeSum += input * fee;
                _feeSumByFee[state.FeePips] = _feeSumByFee.GetValueOrDefault(state.FeePips) + input * fee;
                before = swapPrice;
            }
            if (advanced)
            {
                // σ of the reference price the arbitrageur trades the pool to: the oracle's. The pool's own price bounces with
                // every order that moves it and the arbitrage that moves it back (in the fair-calm backtest its cycle-to-cycle
                // σ measured 10 times the feed's), which inflated the loss to arbitrage and the inventory risk 100-fold.
                _volatilityFromOracle ??= oraclePrice is { Value: > 0 };
                if (_volatilityFromOracle == false) _volatility.Update(time, price);
                else if (oraclePrice is { Value: > 0 } reference) _volatility.Update(time, reference.Value);
                _markout.OnPrice(time, price);
            }
            if (oraclePrice is { } oracle && oracle.Value > 0)
            {
                var value = (double)state.Reserve0 / Math.Pow(10, baseDecimals) * oracle.Value + (double)state.Reserve1 / Math.Pow(10, quoteDecimals);
                _monitor.Update(timestamp, _flow, price, oracle.Value, fee, value);
            }
            _lastPoolPrice = price;
            if (advanced) _lastTimestamp = timestamp;
            _lastFee = fee;
        }
        return new PoolEstimates(_volatility.Volatility, _intensity.IsReady ? _intensity.Fit() : null, _markout.Markout, _swaps, _monitor.Signal, FeeIncomePerDay(timestamp),
            FeeIncomeByFee(timestamp));
    }

    /// <summary>Σ fee_i·e^(−(t − t_i)/τ) / (τ·(1 − e^(−T/τ))): the weighted fee rate, corrected for an estimator younger than τ (T its age).</summary>
    private double? FeeIncomePerDay(long now) => FeeWindow(now) is { } window ? _feeSum / window : null;

    /// <summary><see cref="FeeIncomePerDay"/> split by the fee paid, each fee's weighted sum corrected alike; null while it is.</summary>
    private Dictionary<int, double>? FeeIncomeByFee(long now) =>
        FeeWindow(now) is { } window ? _feeSumByFee.ToDictionary(e => e.Key, e => e.Value / window) : null;

    /// <summary>τ·(1 − e^(−T/τ)), the weighted window of an estimator of age T; null before its first quarter window.</summary>
    private double? FeeWindow(long now)
    {
        if (_firstTimestamp is not { } first) return null;
        var age = (now - first) / SecondsPerDay;
        if (age < FeeWindowDays / 4) return null;
        return FeeWindowDays * -double.ExpM1(-age / FeeWindowDays);
    }
}
