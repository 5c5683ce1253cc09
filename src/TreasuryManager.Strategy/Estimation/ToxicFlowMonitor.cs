using System.Globalization;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Models.Estimators;

namespace TreasuryManager.Strategy.Estimation;

/// <summary>The toxic-flow defence's reading of one pool this cycle.</summary>
/// <param name="Active">Whether the pool should be quoted defensively (entered on a threshold, left after a calm spell).</param>
/// <param name="Vpin">VPIN of the directional flow over the last buckets, or null until enough volume traded.</param>
/// <param name="RegimeRatio">Short EWMA σ over the reference σ, or null until both are ready.</param>
/// <param name="ActiveSince">Unix time the defence last became active (null when inactive).</param>
/// <param name="Why">One line for logs: which signal and its level.</param>
/// <param name="Trigger">Which signal holds the defence on this cycle (VPIN first when both do); null when neither is past its entry threshold.</param>
public sealed record DefenceSignal(bool Active, double? Vpin, double? RegimeRatio, long? ActiveSince, string Why, DefenceTrigger? Trigger = null);

/// <summary>The signal past its entry threshold.</summary>
public enum DefenceTrigger
{
    /// <summary>VPIN of the directional flow.</summary>
    Vpin,
    /// <summary>The short σ over the reference σ.</summary>
    Regime,
}

/// <summary>One swap the pool saw, as the monitor needs it: the pool's price before and after, and its size in quote.</summary>
public readonly record struct FlowTrade(double PriceBefore, double PriceAfter, double QuoteVolume, bool BuysBase);

/// <summary>
/// Forecast toxicity and the volatility regime of one pool (issue 7, docs/models.md "Estimators"), with hysteresis.
/// <list type="bullet">
/// <item><b>VPIN on the directional flow.</b> Easley–López de Prado–O'Hara's VPIN counts buy and sell volume per bucket.
/// Counted over every swap of a pool it cancels out exactly the flow we look for: each informed sell is followed by the
/// arbitrageur's buy that restores the pool to the oracle. So a swap that starts outside the no-arbitrage band
/// (|ln(P_before/s)| &gt; fee) and ends closer to the oracle s is arbitrage and is left out; the rest — the flow that
/// pushes the pool away from the oracle — fills the buckets. Noise is balanced (VPIN ≈ 0.8·√(e^{σ_size²}/N) for N
/// trades per bucket); one-sided informed flow drives it towards 1.</item>
/// <item><b>Regime.</b> A short EWMA of σ (<see cref="DefenceSettings.RegimeSmoothingSeconds"/>) over a long one
/// (<see cref="DefenceSettings.RegimeReferenceSeconds"/>), both from the pool's own price each cycle: a jump or a violent
/// spell lifts it. Both see the same microstructure (the pool's bounce inside its fee band, which inflates a pool-price σ
/// several times over the feed's), so their ratio is ≈ 1 in any steady regime, where a ratio to the feed's σ is not.</item>
/// <item><b>Hysteresis.</b> Active from the first cycle either signal reaches its threshold; inactive again only after both
/// have stayed below <see cref="DefenceSettings.ExitFraction"/> × threshold for <see cref="DefenceSettings.CalmSeconds"/>,
/// so the pool is not flipped (two rebalances of gas) on every wobble.</item>
/// </list>
/// Defaults (DefenceSettings) were chosen on the simulator (docs/simulation.md, `scenarios/informed-drop.json`): a
/// bucket of 3% of the pool's value, 4 buckets, entry at VPIN 0.8 — the pool's directional flow is far from balanced even
/// when calm (the oracle lags the market by up to its deviation threshold, so which trades count as arbitrage is
/// imperfect: VPIN's calm median is about 0.5), so the entry sits in its calm tail. The regime entry is a short σ (30 min)
/// 5 times the long one (1 day): the calm tail, not the daily wobble. With these the defended keeper's calm PnL equals the
/// plain keeper's, and it is on before the drop in about 70% of informed-drop paths against none 40 steps earlier.
/// </summary>
public sealed class ToxicFlowMonitor
{
    private const double SecondsPerDay = 86_400;
    private readonly DefenceSettings _settings;
    private readonly EwmaVolatility _short;
    private readonly EwmaVolatility _long;
    private Vpin? _vpin;
    private long? _activeSince;
    private long? _calmSince;
    private long? _lastTimestamp;

    public ToxicFlowMonitor(DefenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
        _short = new EwmaVolatility(settings.RegimeSmoothingSeconds / SecondsPerDay, minObservations: 3);
        _long = new EwmaVolatility(settings.RegimeReferenceSeconds / SecondsPerDay, minObservations: 12);
    }

    public DefenceSignal Signal { get; private set; } = new(false, null, null, null, "not observed yet");

    /// <summary>
    /// One cycle: the swaps since the last cycle in order, the pool's price now, the oracle's price, the pool's fee (a
    /// fraction) and its value in quote (sets the bucket on the first call).
    /// </summary>
    public DefenceSignal Update(long timestamp, IReadOnlyList<FlowTrade> trades, double poolPrice, double oraclePrice, double fee, double poolValueQuote)
    {
        var advanced = _lastTimestamp is not { } last || timestamp > last; // blocks can share a second: count the trades, wait for time
        if (advanced) _lastTimestamp = timestamp;
        if (poolValueQuote > 0 && _vpin is null)
            _vpin = new Vpin(poolValueQuote * _settings.VpinBucketFraction, _settings.VpinBuckets);
        if (_vpin is not null && oraclePrice > 0)
        {
            var band = Math.Max(fee, 1e-6);
            foreach (var t in trades)
            {
                if (!(t.QuoteVolume > 0) || !(t.PriceBefore > 0) || !(t.PriceAfter > 0)) continue;
                var before = Math.Abs(Math.Log(t.PriceBefore / oraclePrice));
                var after = Math.Abs(Math.Log(t.PriceAfter / oraclePrice));
                if (before > band && after < before) continue; // arbitrage back towards the oracle
                _vpin.AddTrade(t.BuysBase ? t.QuoteVolume : -t.QuoteVolume);
            }
        }
        if (poolPrice > 0 && advanced)
        {
            _short.Update(timestamp / SecondsPerDay, poolPrice);
            _long.Update(timestamp / SecondsPerDay, poolPrice);
        }

        var vpin = _vpin?.Value;
        double? ratio = _short.Volatility is { } s && _long.Volatility is double l && l > 0 ? s / l : null;
        var toxic = vpin >= _settings.VpinThreshold;
        var violent = ratio >= _settings.RegimeRatioThreshold;
        var calm = !(vpin >= _settings.VpinThreshold * _settings.ExitFraction) && !(ratio >= _settings.RegimeRatioThreshold * _settings.ExitFraction);
        string why;
        if (toxic || violent)
        {
            _activeSince ??= timestamp;
            _calmSince = null;
            why = toxic && violent ? $"VPIN {F(vpin)} ≥ {F(_settings.VpinThreshold)} and regime σ ratio {F(ratio)} ≥ {F(_settings.RegimeRatioThreshold)}"
                : toxic ? $"VPIN {F(vpin)} ≥ {F(_settings.VpinThreshold)} (one-sided flow away from the oracle)"
                : $"regime σ ratio {F(ratio)} ≥ {F(_settings.RegimeRatioThreshold)} (short σ over the reference)";
        }
        else if (_activeSince is not null)
        {
            if (calm) _calmSince ??= timestamp;
            else _calmSince = null;
            if (_calmSince is { } c && timestamp - c >= _settings.CalmSeconds)
            {
                _activeSince = null;
                _calmSince = null;
                why = $"calm for {_settings.CalmSeconds.ToString(CultureInfo.InvariantCulture)} s (VPIN {F(vpin)}, σ ratio {F(ratio)}): restore";
            }
            else
            {
                why = $"still defensive: VPIN {F(vpin)}, σ ratio {F(ratio)} must stay below {F(_settings.ExitFraction)} × the thresholds for {_settings.CalmSeconds.ToString(CultureInfo.InvariantCulture)} s";
            }
        }
        else
        {
            why = $"calm: VPIN {F(vpin)} (threshold {F(_settings.VpinThreshold)}), σ ratio {F(ratio)} (threshold {F(_settings.RegimeRatioThreshold)})";
        }
        Signal = new DefenceSignal(_activeSince is not null, vpin, ratio, _activeSince, why, toxic ? DefenceTrigger.Vpin : violent ? DefenceTrigger.Regime : null);
        return Signal;
    }

    private static string F(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
