namespace TreasuryManager.Models.Inventory;

/// <summary>
/// Avellaneda and Stoikov (2008), "High-frequency trading in a limit order book",
/// Quantitative Finance 8(3). Mid dS = σ dW, fills at distance δ with intensity A·e^(−kδ),
/// CARA utility with risk aversion γ, horizon T (docs/models.md, "Avellaneda–Stoikov"):
/// <list type="bullet">
/// <item>reservation price r = s − q·γ·σ²·(T − t)</item>
/// <item>total spread δa + δb = γσ²(T − t) + (2/γ)·ln(1 + γ/k); quotes r ± spread/2</item>
/// </list>
/// </summary>
public sealed class AvellanedaStoikov
{
    public AvellanedaStoikov(double gamma, double sigma, double k, double horizon)
    {
        Guard.Positive(gamma);
        Guard.Positive(sigma);
        Guard.Positive(k);
        Guard.Positive(horizon);
        Gamma = gamma;
        Sigma = sigma;
        K = k;
        Horizon = horizon;
        // (2/γ)·ln(1 + γ/k), the part of the spread that does not decay with time.
        IntensitySpread = 2.0 / gamma * Math.Log(1.0 + gamma / k);
    }

    public double Gamma { get; }

    public double Sigma { get; }

    public double K { get; }

    /// <summary>T.</summary>
    public double Horizon { get; }

    /// <summary>(2/γ)·ln(1 + γ/k).</summary>
    public double IntensitySpread { get; }

    /// <summary>r = s − q·γ·σ²·(T − t).</summary>
    public double ReservationPrice(double s, double q, double t) =>
        s - q * Gamma * Sigma * Sigma * TimeLeft(t);

    /// <summary>δa + δb = γσ²(T − t) + (2/γ)·ln(1 + γ/k).</summary>
    public double Spread(double t) => Gamma * Sigma * Sigma * TimeLeft(t) + IntensitySpread;

    /// <summary>
    /// The time average over [0, T] of <see cref="Spread"/>: (2/γ)ln(1 + γ/k) + γσ²T/2;
    /// the spread column of the paper's table and the symmetric strategy's constant spread.
    /// </summary>
    public double AverageSpread => IntensitySpread + 0.5 * Gamma * Sigma * Sigma * Horizon;

    public InventoryQuotes Quote(double s, double q, double t)
    {
        Guard.Finite(s);
        Guard.Finite(q);
        Guard.Finite(t);
        return InventoryQuotes.AroundReservation(s, ReservationPrice(s, q, t), Spread(t));
    }

    private double TimeLeft(double t) => Math.Max(0.0, Horizon - t);
}
