namespace TreasuryManager.Models.Risk;

/// <summary>The chosen log half-width and why.</summary>
/// <param name="NetYieldPerDay">J at the chosen half-width, per unit of value per day.</param>
/// <param name="Profitable">Whether expected fee income beats the expected arbitrage loss at some width (else the widest is chosen: the gate).</param>
/// <param name="CurrentNetYieldPerDay">J at the current half-width.</param>
/// <param name="GainPerDay">What re-ranging from the current half-width to the chosen one gains, per unit of value per day:
/// the expected PnL the current range's risk would earn at the chosen range's J per unit of risk, less what it earns now,
/// R(h₀)·J(h*)/R(h*) − J(h₀) (R the risk weight of <see cref="RangeWidth.RiskWeight"/>; with no price exposure R = 1 and this
/// is J(h*) − J(h₀)). At the gate (J ≤ 0 at every width), the expected loss the widest range saves: J(hMax) − J(h₀).</param>
public readonly record struct WidthChoice(double HalfWidth, double NetYieldPerDay, bool Profitable, double CurrentNetYieldPerDay, double GainPerDay, string Why);

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
/// The choice maximises J(h)/R(h) over [hMin, hMax] (a log-spaced grid then a golden-section refinement), with J(h) =
/// y(h) − ℓ(h) − g·σ²/h² and the risk weight R(h) = e·c(h) + (1 − e), e the position's price exposure (1 − its hedge
/// ratio): an unhedged range's PnL against hold has the standard deviation c(h)·σ²·T/√32 per unit of value (docs/models.md,
/// "What concentration can and cannot buy"), so e = 1 maximises the Sharpe ratio and e = 0 (a delta-neutral hedge) the
/// expected PnL J. The gate: when the best J is not positive (fees cannot pay for the loss), the widest range allowed is
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

    public static WidthChoice Choose(double currentHalfWidth, double feeYieldPerDay, double sigmaPerDay, double rebalanceCostPerValue, double elasticity, double minHalfWidth, double maxHalfWidth,
        double priceExposure = 0)
    {
        Guard.Positive(currentHalfWidth);
        Guard.NonNegative(feeYieldPerDay);
        Guard.Positive(sigmaPerDay);
        Guard.NonNegative(rebalanceCostPerValue);
        if (!(elasticity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(elasticity), elasticity, "the fee elasticity to depth must lie in [0, 1]");
        if (!(priceExposure is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(priceExposure), priceExposure, "the price exposure (1 − the hedge ratio) must lie in [0, 1]");
        Guard.Positive(minHalfWidth);
        if (!(maxHalfWidth >= minHalfWidth)) throw new ArgumentOutOfRangeException(nameof(maxHalfWidth), maxHalfWidth, "the widest half-width must be at least the narrowest");
        double J(double h) => NetYield(h, currentHalfWidth, feeYieldPerDay, sigmaPerDay, rebalanceCostPerValue, elasticity);
        double Risk(double h) => RiskWeight(h, priceExposure);
        double PerRisk(double h) => J(h) / Risk(h);
        var jNow = J(currentHalfWidth);
        var (netBest, netBestJ) = LogGridSearch.Maximise(J, minHalfWidth, maxHalfWidth, GridPoints, preferred: maxHalfWidth);
        if (!(netBestJ > 0))
        {
            // the gate: J ≤ 0 at every width; the widest range loses the least, and its gain is the expected loss it saves
            return new WidthChoice(maxHalfWidth, J(maxHalfWidth), false, jNow, J(maxHalfWidth) - jNow,
                $"fees cannot pay the loss to arbitrage at any width (fee yield {F(feeYieldPerDay)}/day at ±{F(currentHalfWidth)}, σ²/8 = {F(sigmaPerDay * sigmaPerDay / 8)}/day): the widest range allowed");
        }
        var (best, bestRatio) = priceExposure == 0 ? (netBest, netBestJ) : LogGridSearch.Maximise(PerRisk, minHalfWidth, maxHalfWidth, GridPoints, preferred: maxHalfWidth);
        var jBest = J(best);
        var why = priceExposure == 0
            ? $"half-width {F(best)} maximises fees − LVR − rebalancing = {F(jBest)}/day per unit of value"
            : $"half-width {F(best)} maximises (fees − LVR − rebalancing) per unit of risk at price exposure {F(priceExposure)} (J = {F(jBest)}/day per unit of value; the most J, {F(netBestJ)}/day at ±{F(netBest)}, would take {F(Risk(netBest) / Risk(best))}× the risk)";
        return new WidthChoice(best, jBest, true, jNow, bestRatio * Risk(currentHalfWidth) - jNow,
            $"{why} (fee yield {F(feeYieldPerDay)}/day at ±{F(currentHalfWidth)}, elasticity {F(elasticity)}, σ {F(sigmaPerDay)}/√day)");
    }

    /// <summary>R(h) = e·c(h) + (1 − e): the standard deviation of a ±h range's PnL against hold over a full range's, with
    /// the price exposure e left unhedged (a hedge is assumed to leave a full range's spread at most: its band, funding and basis).</summary>
    public static double RiskWeight(double halfWidth, double priceExposure) => priceExposure * Concentration(halfWidth) + (1 - priceExposure);

    private static string F(double v) => Formatting.Numbers.Fixed(v);
}
