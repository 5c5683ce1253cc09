namespace TreasuryManager.Models.Risk;

/// <summary>
/// The one maximiser of the width and fee rules: a log-spaced grid over [lo, hi], then a golden-section refinement
/// between the grid neighbours of the best point. Deterministic; on a tie the earlier candidate (the preferred point
/// first, then the grid in order) wins.
/// </summary>
internal static class LogGridSearch
{
    /// <summary>Golden-section steps at most (the bracket shrinks by 0.618 each).</summary>
    public const int RefinementSteps = 60;

    /// <param name="objective">The function to maximise.</param>
    /// <param name="lo">The smallest argument (&gt; 0).</param>
    /// <param name="hi">The largest argument (≥ lo).</param>
    /// <param name="gridPoints">Points of the log grid (≥ 2).</param>
    /// <param name="preferred">The candidate that wins a tie (e.g. the widest range): evaluated first.</param>
    public static (double Argument, double Value) Maximise(Func<double, double> objective, double lo, double hi, int gridPoints, double preferred)
    {
        var (best, bestValue) = (preferred, objective(preferred));
        if (!(hi > lo)) return objective(lo) > bestValue ? (lo, objective(lo)) : (best, bestValue);
        var ratio = Math.Pow(hi / lo, 1.0 / (gridPoints - 1));
        var bestIndex = -1;
        for (var i = 0; i < gridPoints; i++)
        {
            var x = Math.Min(hi, lo * Math.Pow(ratio, i));
            var v = objective(x);
            if (v > bestValue) (best, bestValue, bestIndex) = (x, v, i);
        }
        if (bestIndex < 0) bestIndex = (int)Math.Round(Math.Log(best / lo) / Math.Log(ratio)); // the preferred point's place on the grid
        var a = lo * Math.Pow(ratio, Math.Max(0, bestIndex - 1));
        var b = Math.Min(hi, lo * Math.Pow(ratio, Math.Min(gridPoints - 1, bestIndex + 1)));
        var g = (Math.Sqrt(5) - 1) / 2;
        for (var n = 0; n < RefinementSteps && b - a > 1e-12 * b; n++)
        {
            var c = b - g * (b - a);
            var d = a + g * (b - a);
            if (objective(c) >= objective(d)) b = d; else a = c;
        }
        var refined = (a + b) / 2;
        var refinedValue = objective(refined);
        return refinedValue > bestValue ? (refined, refinedValue) : (best, bestValue);
    }
}
