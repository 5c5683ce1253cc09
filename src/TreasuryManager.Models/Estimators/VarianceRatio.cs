namespace TreasuryManager.Models.Estimators;

/// <summary>
/// The variance ratio of a price series (docs/models.md, "Variance ratio"; Lo and MacKinlay 1988): how far the price
/// travels over q steps against how far a random walk with the same one-step moves would,
///
///     VR(q) = mean over t of (ln P_{t+q} − ln P_t)²  /  (q · mean over t of (ln P_{t+1} − ln P_t)²)
///
/// with overlapping q-step windows and raw second moments (no drift removed: a drift is part of what a range pays for,
/// so a trend counts, VR(q) → q for a straight line). 1 for a random walk, below 1 when the price mean-reverts (a range
/// held over q steps loses about VR(q) times the σ²·q/8 a random walk would cost it), above 1 when it trends. Pure.
/// </summary>
public static class VarianceRatio
{
    /// <summary>VR(<paramref name="horizon"/>) of <paramref name="prices"/> (positive, equally spaced in time).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1, the series has no more than horizon + 1
    /// prices, a price is not positive and finite, or the price never moves.</exception>
    public static double Of(IReadOnlyList<double> prices, int horizon)
    {
        ArgumentNullException.ThrowIfNull(prices);
        Guard.Positive(horizon);
        if (prices.Count <= horizon + 1)
            throw new ArgumentOutOfRangeException(nameof(prices), prices.Count, $"a variance ratio at a horizon of {horizon} steps needs more than {horizon + 1} prices");
        var logs = new double[prices.Count];
        for (var i = 0; i < logs.Length; i++)
        {
            var p = prices[i];
            if (!(double.IsFinite(p) && p > 0)) throw new ArgumentOutOfRangeException(nameof(prices), p, $"price {i} must be positive and finite");
            logs[i] = Math.Log(p);
        }
        double one = 0, many = 0;
        for (var t = 1; t < logs.Length; t++) one += Square(logs[t] - logs[t - 1]);
        for (var t = horizon; t < logs.Length; t++) many += Square(logs[t] - logs[t - horizon]);
        one /= logs.Length - 1;
        many /= logs.Length - horizon;
        if (!(one > 0)) throw new ArgumentOutOfRangeException(nameof(prices), "the price never moves: no variance ratio");
        return many / (horizon * one);
    }

    /// <summary>
    /// The standard error of VR(q) for a random walk with homoskedastic steps, overlapping windows over
    /// <paramref name="returns"/> one-step returns: √(2(2q − 1)(q − 1) / (3q·n)) (Lo and MacKinlay 1988). A ratio more than
    /// two of these from 1 is evidence of mean reversion or trend; at q = 168 over 5,800 hourly returns it is 0.20.
    /// </summary>
    public static double NullStandardError(int returns, int horizon)
    {
        Guard.Positive(returns);
        Guard.Positive(horizon);
        return Math.Sqrt(2.0 * (2 * horizon - 1) * (horizon - 1) / (3.0 * horizon * returns));
    }

    private static double Square(double x) => x * x;
}
