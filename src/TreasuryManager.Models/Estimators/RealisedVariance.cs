namespace TreasuryManager.Models.Estimators;

/// <summary>One pool observation: cumulative sums since the pool began, as the pool records them.</summary>
/// <param name="Time">Timestamp (time units).</param>
/// <param name="LogPriceCumulative">∫ ln P dt (Uniswap's tickCumulative plays this role).</param>
/// <param name="SquaredReturnCumulative">Σ (Δ ln P)² over the pool's price changes.</param>
public readonly record struct PoolObservation(double Time, double LogPriceCumulative, double SquaredReturnCumulative);

/// <summary>
/// Realised variance from the pool's own observations (docs/models.md, "Realised variance"): over a window from
/// observation a to b, variance rate = (Q_b − Q_a)/(t_b − t_a) with Q the cumulative squared log
/// return, and the time-weighted mean log price (the TWAP's log) = (C_b − C_a)/(t_b − t_a).
/// Keeps the observations of the last <see cref="Window"/> time units; ready once they span at
/// least <see cref="MinSpan"/>.
/// </summary>
public sealed class RealisedVariance
{
    // Retained observations are _observations[_head..]; compacted when the dead prefix grows.
    private readonly List<PoolObservation> _observations = new();
    private int _head;
    private PoolObservation _last;

    public RealisedVariance(double window, double minSpan)
    {
        Guard.Positive(window);
        Guard.Positive(minSpan);
        if (minSpan > window) throw new ArgumentOutOfRangeException(nameof(minSpan), minSpan, "must not exceed the window");
        Window = window;
        MinSpan = minSpan;
    }

    public double Window { get; }

    public double MinSpan { get; }

    private PoolObservation First => _observations[_head];

    private int Count => _observations.Count - _head;

    /// <summary>Time covered by the retained observations.</summary>
    public double Span => Count < 2 ? 0 : _last.Time - First.Time;

    public bool IsReady => Span >= MinSpan;

    /// <summary>σ² per time unit over the window, or null until ready.</summary>
    public double? VarianceRate => IsReady ? (_last.SquaredReturnCumulative - First.SquaredReturnCumulative) / Span : null;

    public double? Volatility => VarianceRate is { } v ? Math.Sqrt(v) : null;

    /// <summary>Time-weighted mean of ln P over the window, or null until ready.</summary>
    public double? MeanLogPrice => IsReady ? (_last.LogPriceCumulative - First.LogPriceCumulative) / Span : null;

    public void Add(PoolObservation observation)
    {
        Guard.Finite(observation.Time);
        Guard.Finite(observation.LogPriceCumulative);
        Guard.NonNegative(observation.SquaredReturnCumulative);
        if (Count > 0)
        {
            if (!(observation.Time > _last.Time)) throw new ArgumentOutOfRangeException(nameof(observation), "times must increase");
            if (observation.SquaredReturnCumulative < _last.SquaredReturnCumulative)
                throw new ArgumentOutOfRangeException(nameof(observation), "the cumulative squared return cannot fall");
        }

        _observations.Add(observation);
        _last = observation;
        // Drop observations older than the window, keeping one at or before its start as the anchor.
        while (Count > 2 && observation.Time - _observations[_head + 1].Time >= Window) _head++;
        if (_head > 64 && _head > _observations.Count / 2)
        {
            _observations.RemoveRange(0, _head);
            _head = 0;
        }
    }
}
