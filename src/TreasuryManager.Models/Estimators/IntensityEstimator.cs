namespace TreasuryManager.Models.Estimators;

/// <summary>Fitted trade intensity λ(δ) = A·e^(−kδ).</summary>
public readonly record struct IntensityFit(double A, double K, int Fills)
{
    public double Intensity(double distance) => A * Math.Exp(-K * distance);
}

/// <summary>
/// Trading intensity by maximum likelihood (docs/models.md, "Trade intensity"; the arrival model of
/// Avellaneda–Stoikov 2008): fills at a quote held at distance δ for time τ arrive as a Poisson
/// process of rate λ(δ) = A·e^(−kδ). With exposures (δ_j, τ_j) and fills at distances δ_i, the
/// log-likelihood is
///   ℓ(A, k) = Σ_i (ln A − kδ_i) − A·Σ_j τ_j·e^(−kδ_j).
/// ∂ℓ/∂A = 0 gives Â(k) = N / Σ_j τ_j e^(−kδ_j); profiling A out, ∂ℓ/∂k = 0 becomes
///   Σ_j τ_j δ_j e^(−kδ_j) / Σ_j τ_j e^(−kδ_j) = (1/N) Σ_i δ_i,
/// whose left side (a mean of δ under weights τe^(−kδ)) falls strictly in k, so the root is unique
/// and found by bisection. This fits intensities (counts per exposure time), not summed volume.
/// Exposure at equal distances is merged (distances rounded to <see cref="DistanceResolution"/>).
/// Ready once <see cref="MinFills"/> fills have been seen at two or more distinct distances.
/// </summary>
public sealed class IntensityEstimator
{
    private readonly Dictionary<long, (double Distance, double Exposure, int Fills)> _bins = new();
    private double _sumFillDistance;

    public IntensityEstimator(double distanceResolution, int minFills = 50)
    {
        Guard.Positive(distanceResolution);
        Guard.Positive(minFills);
        DistanceResolution = distanceResolution;
        MinFills = minFills;
    }

    public double DistanceResolution { get; }

    public int MinFills { get; }

    public int Fills { get; private set; }

    public bool IsReady => Fills >= MinFills && _bins.Values.Count(b => b.Exposure > 0 && b.Fills > 0) >= 2;

    /// <summary>A quote was held at <paramref name="distance"/> for <paramref name="duration"/>.</summary>
    public void AddExposure(double distance, double duration)
    {
        Guard.NonNegative(distance);
        Guard.NonNegative(duration);
        var key = Key(distance);
        _bins.TryGetValue(key, out var bin);
        _bins[key] = (key * DistanceResolution, bin.Exposure + duration, bin.Fills);
    }

    /// <summary>A fill arrived at a quote at <paramref name="distance"/>.</summary>
    public void AddFill(double distance, int count = 1)
    {
        Guard.NonNegative(distance);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be non-negative");
        var key = Key(distance);
        _bins.TryGetValue(key, out var bin);
        _bins[key] = (key * DistanceResolution, bin.Exposure, bin.Fills + count);
        Fills += count;
        _sumFillDistance += count * key * DistanceResolution;
    }

    /// <summary>The maximum-likelihood (A, k), or null until ready (or when the data put the
    /// optimum at k ≤ 0 or beyond the bracket, i.e. fills do not thin with distance).</summary>
    public IntensityFit? Fit()
    {
        if (!IsReady) return null;
        var bins = _bins.Values.Where(b => b.Exposure > 0).ToArray();
        var meanFill = _sumFillDistance / Fills;
        var maxDistance = bins.Max(b => b.Distance);
        var minDistance = bins.Min(b => b.Distance);
        // g(k) = weighted mean distance − mean fill distance, decreasing in k.
        double G(double k)
        {
            double num = 0, den = 0;
            foreach (var b in bins)
            {
                // Shifted by the smallest distance against underflow; the common factor cancels.
                var w = b.Exposure * Math.Exp(-k * (b.Distance - minDistance));
                num += w * b.Distance;
                den += w;
            }

            return num / den - meanFill;
        }

        double lo = 0, hi = 1.0 / Math.Max(DistanceResolution, 1e-300);
        if (G(lo) <= 0) return null;
        while (G(hi) > 0)
        {
            hi *= 2;
            if (hi > 1e12 / Math.Max(maxDistance, 1e-300)) return null;
        }

        for (var i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (G(mid) > 0) lo = mid;
            else hi = mid;
        }

        var kHat = 0.5 * (lo + hi);
        var exposure = bins.Sum(b => b.Exposure * Math.Exp(-kHat * b.Distance));
        return new IntensityFit(Fills / exposure, kHat, Fills);
    }

    private long Key(double distance) => (long)Math.Round(distance / DistanceResolution);
}
