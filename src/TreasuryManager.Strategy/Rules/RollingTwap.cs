namespace TreasuryManager.Strategy.Rules;

/// <summary>
/// The mean of the last <see cref="Window"/> log prices, sampled once per step: the backtest's stand-in for a pool's
/// TWAP oracle (the passive vault's TWAP guard, the managed keeper's TWAP input). One queue, one running sum.
/// </summary>
public sealed class RollingTwap
{
    private readonly Queue<double> _logPrices = new();
    private double _sum;

    public RollingTwap(int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "the TWAP window must hold at least one sample");
        Window = window;
    }

    /// <summary>Samples averaged.</summary>
    public int Window { get; }

    /// <summary>Adds a sample (the newest log price) and drops the oldest past the window.</summary>
    public void Add(double logPrice)
    {
        _logPrices.Enqueue(logPrice);
        _sum += logPrice;
        while (_logPrices.Count > Window) _sum -= _logPrices.Dequeue();
    }

    /// <summary>The mean log price of the samples held (NaN before the first).</summary>
    public double MeanLogPrice => _logPrices.Count == 0 ? double.NaN : _sum / _logPrices.Count;
}
