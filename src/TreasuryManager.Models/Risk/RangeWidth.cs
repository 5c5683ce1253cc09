namespace TreasuryManager.Models.Risk;

/// <summary>The chosen log half-width and why.</summary>
/// <param name="NetYieldPerDay">J at the chosen half-width, per unit of value per day.</param>
/// <param name="Profitable">Whether expected fee income beats the expected arbitrage loss at some width (else the widest is chosen: the gate).</param>
/// <param name="CurrentNetYieldPerDay">J at the current half-width (what re-ranging gains over).</param>
public readonly record struct WidthChoice(double HalfWidth, double NetYieldPerDay, bool Profitable, double CurrentNetYieldPerDay, string Why);

/// <summary>
/// The range width from the fee-versus-LVR trade-off (docs/models.md, "The width: fees against the loss to
/// arbitrage"; Milionis et al. 2022, arXiv 2208.06046; Cartea, Drissi and Monga 2024, arXiv 2309.08431). For a range of
/// log half-width h around the price, per unit of the position's value and per day:
/// <list type="bullet">
/// <item>the loss to arbitrage is ℓ(h) = (σ²/8)·c(h), with the concentration c(h) = 1/(1 − e^(−h/2)) (≈ 2/h; 1 at full range);</item>
/// <item>the fee income is y(h) = y₀·(c(h)/c(h₀))^ε: y₀ the yield observed at the current half-width h₀, ε the elasticity
/// of the treasury's fee income to its depth (1: its share of a shared pool's fees, or of routed flow, grows with its
/// in-range liquidity; 0: captive flow, the same fees whatever the depth);</item>
/// <item>the rebalancing cost is g·σ²/h²: a price in a range of half-width h leaves it after h²/σ² days on average, g the
/// cost of one rebalance per unit of value.</item>
/// </list>
/// The choice maximises J(h) = y(h) − ℓ(h) − g·σ²/h² over [hMin, hMax] (a log-spaced grid then a golden-section
/// refinement). The gate: when the best J is not positive (fees cannot pay for the loss), the widest range allowed is
/// chosen. Wider when σ rises, narrower when fee income rises. Pure.
/// </summary>
public static class RangeWidth
{
    /// <summary>Points of the grid over [hMin, hMax] before the refinement.</summary>
    public const int GridPoints = 96;

    /// <summary>c(h) = 1/(1 − e^(−h/2)): LVR per unit of value of a ±h range over a full range's.</summary>
    public static double Concentration(double halfWidth)
    {
        Guard.Positive(halfWidth);
        return 1 / -double.ExpM1(-halfWidth / 2);
    }

    /// <summary>J(h) per unit of value per day.</summary>
    public static double NetYield(double h, double currentHalfWidth, double feeYieldPerDay, double sigmaPerDay, double rebalanceCostPerValue, double elasticity)
    {
        var c = Concentration(h);
        var fees = feeYieldPerDay * Math.Pow(c / Concentration(currentHalfWidth), elasticity);
        var lvr = sigmaPerDay * sigmaPerDay / 8 * c;
        var rebalancing = rebalanceCostPerValue * sigmaPerDay * sigmaPerDay / (h * h);
        return fees - lvr - rebalancing;
    }

    public static WidthChoice Choose(double currentHalfWidth, double feeYieldPerDay, double sigmaPerDay, double rebalanceCostPerValue, double elasticity, double minHalfWidth, double maxHalfWidth)
    {
        Guard.Positive(currentHalfWidth);
        Guard.NonNegative(feeYieldPerDay);
        Guard.Positive(sigmaPerDay);
        Guard.NonNegative(rebalanceCostPerValue);
        if (!(elasticity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(elasticity), elasticity, "the fee elasticity to depth must lie in [0, 1]");
        Guard.Positive(minHalfWidth);
        if (!(maxHalfWidth >= minHalfWidth)) throw new ArgumentOutOfRangeException(nameof(maxHalfWidth), maxHalfWidth, "the widest half-width must be at least the narrowest");
        double J(double h) => NetYield(h, currentHalfWidth, feeYieldPerDay, sigmaPerDay, rebalanceCostPerValue, elasticity);
        var (best, bestJ) = LogGridSearch.Maximise(J, minHalfWidth, maxHalfWidth, GridPoints, preferred: maxHalfWidth);
        if (!(bestJ > 0))
            return new WidthChoice(maxHalfWidth, J(maxHalfWidth), false, J(currentHalfWidth),
                $"fees cannot pay the loss to arbitrage at any width (fee yield {F(feeYieldPerDay)}/day at ±{F(currentHalfWidth)}, σ²/8 = {F(sigmaPerDay * sigmaPerDay / 8)}/day): the widest range allowed");
        return new WidthChoice(best, bestJ, true, J(currentHalfWidth),
            $"half-width {F(best)} maximises fees − LVR − rebalancing = {F(bestJ)}/day per unit of value (fee yield {F(feeYieldPerDay)}/day at ±{F(currentHalfWidth)}, elasticity {F(elasticity)}, σ {F(sigmaPerDay)}/√day)");
    }

    private static string F(double v) => Formatting.Numbers.Fixed(v);
}
