namespace TreasuryManager.Models.Estimators;

/// <summary>
/// EWMA volatility (RiskMetrics-style exponential smoothing, docs/models.md, "EWMA volatility"): each price
/// update contributes the squared log return per unit time, r²/Δt, with weight 1 − e^(−Δt/τ)
/// (τ the smoothing time), so irregular sampling is handled and the estimate is a variance rate
/// per time unit. Not ready until <see cref="MinObservations"/> returns have been seen.
/// </summary>
public sealed class EwmaVolatility
{
    private double _lastTime = double.NaN;
    private double _lastLogPrice = double.NaN;
    private double _variance;

    public EwmaVolatility(double smoothingTime, int minObservations = 10)
    {
        Guard.Positive(smoothingTime);
        Guard.Positive(minObservations);
        SmoothingTime = smoothingTime;
        MinObservations = minObservations;
    }

    public double SmoothingTime { get; }

    public int MinObservations { get; }

    /// <summary>Returns seen so far.</summary>
    public int Count { get; private set; }

    public bool IsReady => Count >= MinObservations;

    /// <summary>σ² per time unit, or null until ready.</summary>
    public double? VarianceRate => IsReady ? _variance : null;

    /// <summary>σ per √(time unit), or null until ready.</summary>
    public double? Volatility => IsReady ? Math.Sqrt(_variance) : null;

    /// <summary>σ scaled to another time unit: σ·√(units per period), e.g. seconds per year.</summary>
    public double? VolatilityOver(double timeUnitsPerPeriod) => IsReady ? Math.Sqrt(_variance * timeUnitsPerPeriod) : null;

    /// <summary>Feeds a price observed at <paramref name="time"/> (strictly increasing times).</summary>
    public void Update(double time, double price)
    {
        Guard.Finite(time);
        Guard.Positive(price);
        var logPrice = Math.Log(price);
        if (double.IsNaN(_lastTime))
        {
            _lastTime = time;
            _lastLogPrice = logPrice;
            return;
        }

        var dt = time - _lastTime;
        if (!(dt > 0)) throw new ArgumentOutOfRangeException(nameof(time), time, "times must increase");
        var r = logPrice - _lastLogPrice;
        var sample = r * r / dt;
        // The first return seeds the average; later ones blend in with weight 1 − e^(−Δt/τ).
        var w = Count == 0 ? 1.0 : -double.ExpM1(-dt / SmoothingTime);
        _variance += w * (sample - _variance);
        Count++;
        _lastTime = time;
        _lastLogPrice = logPrice;
    }
}
